#include "fastgrad/grad_mode.h"

#include "core/tls_model.h"

namespace fastgrad {

namespace {
thread_local bool grad_enabled FASTGRAD_TLS_FAST = true;  // per thread, like c10::GradMode
thread_local bool inference_enabled FASTGRAD_TLS_FAST = false;
}  // namespace

bool GradMode::is_enabled() { return grad_enabled; }
void GradMode::set_enabled(bool enabled) { grad_enabled = enabled; }
bool InferenceMode::is_enabled() { return inference_enabled; }
void InferenceMode::set_enabled(bool enabled) { inference_enabled = enabled; }

}  // namespace fastgrad

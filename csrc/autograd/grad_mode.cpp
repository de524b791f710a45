#include "fastgrad/grad_mode.h"

namespace fastgrad {

namespace {
thread_local bool grad_enabled = true;  // per thread, like c10::GradMode
}

bool GradMode::is_enabled() { return grad_enabled; }
void GradMode::set_enabled(bool enabled) { grad_enabled = enabled; }

}  // namespace fastgrad

#pragma once
// Grad mode: a thread-local switch. While off, ops record no graph (torch.no_grad()).
#include "fastgrad/export.h"

namespace fastgrad {

struct FASTGRAD_API GradMode {
  static bool is_enabled();
  static void set_enabled(bool enabled);
};

// Inference mode (torch.inference_mode): grad mode off, and tensors created meanwhile are
// "inference tensors" that autograd refuses to save or to see modified outside the mode.
struct FASTGRAD_API InferenceMode {
  static bool is_enabled();
  static void set_enabled(bool enabled);
};

// RAII: sets grad mode for a scope and restores the previous value.
class FASTGRAD_API AutoGradMode {
 public:
  explicit AutoGradMode(bool enabled) : prev_(GradMode::is_enabled()) {
    GradMode::set_enabled(enabled);
  }
  ~AutoGradMode() { GradMode::set_enabled(prev_); }
  AutoGradMode(const AutoGradMode&) = delete;
  AutoGradMode& operator=(const AutoGradMode&) = delete;

 private:
  bool prev_;
};

class FASTGRAD_API NoGradGuard : public AutoGradMode {
 public:
  NoGradGuard() : AutoGradMode(false) {}
};

}  // namespace fastgrad

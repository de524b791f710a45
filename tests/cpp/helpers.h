#pragma once
// Test helpers: read a tensor's values, and check autograd against float64 finite differences.
#include <functional>
#include <vector>

#include "check.h"
#include "fastgrad/fastgrad.h"

namespace fg = fastgrad;

// Values of any tensor as doubles, in row-major order.
inline std::vector<double> values(const fg::Tensor& t) {
  fg::Tensor c = t.to(fg::ScalarType::Float64).contiguous();
  const double* p = c.data<double>();
  return std::vector<double>(p, p + c.numel());
}

#define CHECK_VALUES(t, ...)                                                     \
  do {                                                                           \
    std::vector<double> check_got_ = values(t), check_want_ = __VA_ARGS__;       \
    CHECK_EQ(check_got_.size(), check_want_.size());                             \
    for (size_t i_ = 0; i_ < check_got_.size() && i_ < check_want_.size(); ++i_) \
      CHECK_CLOSE(check_got_[i_], check_want_[i_], 1e-5);                        \
  } while (0)

// Compares autograd's gradient of sum(f(inputs) * weights) with central differences, in
// float64. `inputs` must be float64 leaves that require grad.
inline bool gradcheck(const std::function<fg::Tensor(const fg::TensorList&)>& f,
                      const fg::TensorList& inputs, double eps = 1e-6, double tol = 1e-5) {
  fg::Tensor out = f(inputs);
  // A fixed, non-uniform weighting makes every output element matter differently.
  fg::Tensor w = fg::linspace(0.5, 1.5, out.numel(), fg::ScalarType::Float64).reshape(out.sizes());
  fg::TensorList analytic = fg::autograd::grad({(out * w).sum()}, inputs);
  bool ok = true;
  fg::NoGradGuard no_grad;
  for (size_t k = 0; k < inputs.size(); ++k) {
    double* x = inputs[k].data<double>();
    std::vector<double> a = values(analytic[k]);
    for (int64_t i = 0; i < inputs[k].numel(); ++i) {
      const double old = x[i];
      x[i] = old + eps;
      double plus = values((f(inputs) * w).sum())[0];
      x[i] = old - eps;
      double minus = values((f(inputs) * w).sum())[0];
      x[i] = old;
      double numeric = (plus - minus) / (2 * eps);
      if (!check::close(a[i], numeric, tol, tol)) {
        std::fprintf(stderr, "  input %zu element %lld: autograd %.10g, finite difference %.10g\n",
                     k, static_cast<long long>(i), a[i], numeric);
        ok = false;
      }
    }
  }
  return ok;
}

// A float64 leaf that requires grad, with values spread over [lo, hi].
inline fg::Tensor leaf(const fg::Shape& shape, double lo = -1.5, double hi = 1.3) {
  fg::Tensor t = fg::linspace(lo, hi, fg::shape_numel(shape), fg::ScalarType::Float64);
  // Shuffle-ish order so neighbouring elements differ in sign and size.
  t = (t * 7.0).sin() * (hi - lo) / 2.0 + (hi + lo) / 2.0;
  return t.reshape(shape).detach().requires_grad_();
}

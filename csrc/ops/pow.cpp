// pow in its three forms (tensor ** number, number ** tensor, tensor ** tensor).
#include <cmath>

#include "kernels/math.h"
#include "ops/binary_map.h"

namespace fastgrad {

namespace {

void check_int_exponent(ScalarType dt, const Scalar& e) {
  if (!is_floating(dt) && !e.is_floating() && e.to_int() < 0)
    throw Error("Integers to negative integer powers are not allowed.");
}

// d/dx x^e = e * x^(e-1); PyTorch's pow_backward, including zeros for e == 0.
struct PowBackward0 final : Node {
  Scalar exponent = 1.0;
  std::string name() const override { return "PowBackward0"; }
  TensorList apply(TensorList&& g) override {
    Tensor self = saved(0);
    if (exponent.to_double() == 0.0) return {zeros_like(self, g[0].dtype())};
    // x ** 2 (the common case): self ** 1 is self, so g * (2 * self) in one loop, rounded as
    // the two muls would be. Only without create_graph, where the graph of this formula is
    // recorded and should have PyTorch's shape.
    if (exponent.to_double() == 2.0 && !GradMode::is_enabled() && g[0].dtype() == self.dtype() &&
        is_floating(self.dtype()))
      return {detail::binary_map<false>(g[0], self, self.dtype(), "pow_backward",
                                        [](auto gv, auto x) { return gv * (decltype(x)(2) * x); })};
    Tensor e1 = exponent.is_floating() ? pow(self, Scalar(exponent.to_double() - 1.0))
                                       : pow(self, Scalar(exponent.to_int() - 1));
    return {mul(g[0], mul(wrapped_scalar(exponent), e1))};
  }
};

// exponent' = grad * result * log(self), zero where self == 0 and exponent >= 0.
Tensor exponent_grad(const Tensor& grad, const Tensor& base, const Tensor& exponent,
                     const Tensor& result) {
  Tensor mask;
  {
    NoGradGuard no_grad;
    mask = to_dtype(mul(eq(base, wrapped_scalar(0)), ge(exponent, wrapped_scalar(0))),
                    ScalarType::Bool);
    mask = to_dtype(eq(mask, wrapped_scalar(false)), grad.dtype());
  }
  return mul(mul(grad, mul(result, log(base))), mask);
}

struct PowBackward1 final : Node {  // tensor ** tensor
  std::string name() const override { return "PowBackward1"; }
  TensorList apply(TensorList&& g) override {
    Tensor self = saved(0), exponent = saved(1), result = saved(2);
    Tensor ga, gb;
    if (needs_input_grad(0)) {
      // Where exponent == 0 the gradient is 0 (avoids 0 * inf at self == 0).
      Tensor nz;
      {
        NoGradGuard no_grad;
        nz = to_dtype(ne(exponent, wrapped_scalar(0)), g[0].dtype());
      }
      ga = mul(mul(g[0], mul(exponent, pow(self, sub(exponent, wrapped_scalar(1))))), nz);
    }
    if (needs_input_grad(1)) gb = exponent_grad(g[0], self, exponent, result);
    return {ga, gb};
  }
};

struct PowBackward2 final : Node {  // number ** tensor
  Scalar base = 1.0;
  std::string name() const override { return "PowBackward2"; }
  TensorList apply(TensorList&& g) override {
    Tensor exponent = saved(0), result = saved(1);
    Tensor b = full_like(exponent, base, result.dtype());
    return {exponent_grad(g[0], b, exponent, result)};
  }
};

}  // namespace

Tensor pow(const Tensor& base, const Scalar& exponent) {
  Tensor e = wrapped_scalar(exponent);
  ScalarType dt = result_type(base, e);
  check_int_exponent(dt, exponent);
  Tensor out;
  if (is_floating(dt)) {
    // PyTorch's fast paths for common exponents; they also fix the exact rounding.
    const double x = exponent.to_double();
    out = detail::binary_map<false>(base, e, dt, "pow", [x](auto b, auto ev) -> decltype(b) {
      using T = decltype(b);
      if constexpr (std::is_floating_point_v<T>) {
        if (x == 2.0) return b * b;
        if (x == 3.0) return b * b * b;
        if (x == 0.5) return std::sqrt(b);
        if (x == -0.5) return T(1) / std::sqrt(b);
        if (x == -1.0) return T(1) / b;
        if (x == -2.0) return T(1) / (b * b);
        return static_cast<T>(std::pow(b, ev));
      } else {
        return kernels::power(b, ev);
      }
    });
  } else {
    out = detail::binary_map<false>(base, e, dt, "pow",
                                    [](auto b, auto ev) { return kernels::power(b, ev); });
  }
  if (autograd::compute_requires_grad({&base})) {
    auto node = make_node<PowBackward0>();
    node->exponent = exponent;
    detail::record(out, node, {&base});
    node->save(base);
  }
  return out;
}

Tensor pow(const Tensor& base, const Tensor& exponent) {
  if (exponent.impl()->is_wrapped_number()) {
    Scalar s = exponent.item();
    return pow(base, s);
  }
  ScalarType dt = result_type(base, exponent);
  if (!is_floating(dt)) {
    NoGradGuard no_grad;
    if (lt(exponent, wrapped_scalar(0)).sum().item<int64_t>() > 0)
      throw Error("Integers to negative integer powers are not allowed.");
  }
  Tensor out = detail::binary_map<false>(base, exponent, dt, "pow",
                                         [](auto b, auto e) { return kernels::power(b, e); });
  if (autograd::compute_requires_grad({&base, &exponent})) {
    auto node = make_node<PowBackward1>();
    detail::record(out, node, {&base, &exponent});
    node->save(base);
    node->save(exponent);
    node->save(out, /*is_output=*/true);
  }
  return out;
}

Tensor pow(const Scalar& base, const Tensor& exponent) {
  Tensor b = wrapped_scalar(base);
  ScalarType dt = result_type(b, exponent);
  if (!is_floating(dt)) {
    NoGradGuard no_grad;
    if (exponent.numel() > 0 && lt(exponent, wrapped_scalar(0)).sum().item<int64_t>() > 0)
      throw Error("Integers to negative integer powers are not allowed.");
  }
  Tensor out = detail::binary_map<false>(b, exponent, dt, "pow",
                                         [](auto x, auto e) { return kernels::power(x, e); });
  if (autograd::compute_requires_grad({&exponent})) {
    auto node = make_node<PowBackward2>();
    node->base = base;
    detail::record(out, node, {&exponent});
    node->save(exponent);
    node->save(out, /*is_output=*/true);
  }
  return out;
}

}  // namespace fastgrad

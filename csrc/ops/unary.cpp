// Unary elementwise ops, each forward next to its backward.
#include <cmath>

#include "kernels/elementwise.h"
#include "kernels/math.h"
#include "kernels/parallel.h"
#include "kernels/vmath.h"
#include "ops/binary_map.h"
#include "ops/common.h"

namespace fastgrad {

namespace {

// Floating ops (exp, sin, ...) turn integer inputs into the default float dtype, as PyTorch.
ScalarType float_result(const Tensor& t) {
  return is_floating(t.dtype()) ? t.dtype() : default_dtype();
}

// out = f(t) elementwise in dtype `dtype`; f is a generic lambda over the element type.
template <typename F>
Tensor map_floating(const Tensor& t, ScalarType dtype, const char* name, const F& f) {
  Tensor in = t;
  if (t.dtype() != dtype) {
    NoGradGuard no_grad;
    in = to_dtype(t, dtype);
  }
  Tensor out = detail::make_empty(t.sizes(), dtype);
  FG_DISPATCH_FLOATING(dtype, name, [&] {
    kernels::unary_kernel(detail::elementwise_geometry(out, {&in}), out.data<scalar_t>(),
                          in.data<scalar_t>(),
                          [&](scalar_t x) { return static_cast<scalar_t>(f(x)); });
  });
  return out;
}

// float32 through a vectorised kernel on contiguous memory (strided inputs are made contiguous
// first, so an element's result never depends on the layout); other dtypes through `f`.
template <typename F>
Tensor map_floating_vec(const Tensor& t, const char* name,
                        void (*vec_f32)(const float*, float*, int64_t, bool), const F& f) {
  if (float_result(t) != ScalarType::Float32) return map_floating(t, float_result(t), name, f);
  Tensor in = t;
  if (t.dtype() != ScalarType::Float32 || !t.is_contiguous()) {
    NoGradGuard no_grad;
    in = contiguous(to_dtype(t, ScalarType::Float32));
  }
  Tensor out = detail::make_empty(t.sizes(), ScalarType::Float32);
  const float* x = in.data<float>();
  float* o = out.data<float>();
  const int64_t n = out.numel();
  const bool streaming =
      n * 2 * static_cast<int64_t>(sizeof(float)) >= kernels::streaming_threshold();
  kernels::parallel_for(0, n, kernels::kGrainSize,
                        [&](int64_t b, int64_t e) { vec_f32(x + b, o + b, e - b, streaming); });
  return out;
}

template <typename F>
Tensor map_numeric(const Tensor& t, const char* name, const F& f) {
  Tensor out = detail::make_empty(t.sizes(), t.dtype());
  FG_DISPATCH_NUMERIC(t.dtype(), name, [&] {
    kernels::unary_kernel(detail::elementwise_geometry(out, {&t}), out.data<scalar_t>(),
                          t.data<scalar_t>(),
                          [&](scalar_t x) { return static_cast<scalar_t>(f(x)); });
  });
  return out;
}

// A unary node that saves one tensor (the input or the result).
template <typename Derived>
struct UnaryNode : Node {
  TensorList apply(TensorList&& g) override {
    return {static_cast<Derived*>(this)->backward(g[0], saved(0))};
  }
};

#define FG_UNARY_NODE(NAME, BODY)                                      \
  struct NAME final : UnaryNode<NAME> {                                \
    std::string name() const override { return #NAME; }                \
    Tensor backward(const Tensor& grad, const Tensor& saved) { BODY; } \
  };

// Backward formulas are PyTorch's (derivatives.yaml), written with fastgrad ops so that
// create_graph records them.
FG_UNARY_NODE(ExpBackward0, return mul(grad, saved))            // saved = result
FG_UNARY_NODE(LogBackward0, return div(grad, saved))            // saved = self
FG_UNARY_NODE(SinBackward0, return mul(grad, cos(saved)))       // saved = self
FG_UNARY_NODE(CosBackward0, return mul(grad, neg(sin(saved))))  // saved = self
// tanh and sigmoid backward run as one fused kernel unless the backward is itself recorded
// (create_graph); the fused loop rounds in the same order as the composed ops, as PyTorch's
// tanh_backward / sigmoid_backward kernels do.
template <typename F>
Tensor fused_backward(const Tensor& grad, const Tensor& result, const char* name, const F& f) {
  return detail::binary_map<false, false>(grad, result, result.dtype(), name, f);
}
FG_UNARY_NODE(TanhBackward0,  // saved = result
              if (!GradMode::is_enabled() && grad.dtype() == saved.dtype()) return fused_backward(
                  grad, saved, "tanh_backward",
                  [](auto g, auto y) { return g * (decltype(y)(1) - y * y); });
              return mul(grad, sub(wrapped_scalar(1), mul(saved, saved))))
FG_UNARY_NODE(SigmoidBackward0,  // saved = result
              if (!GradMode::is_enabled() && grad.dtype() == saved.dtype()) return fused_backward(
                  grad, saved, "sigmoid_backward",
                  [](auto g, auto y) { return g * (decltype(y)(1) - y) * y; });
              return mul(mul(grad, sub(wrapped_scalar(1), saved)), saved))
FG_UNARY_NODE(SqrtBackward0,  // saved = result
              return div(grad, mul(wrapped_scalar(2), saved)))
FG_UNARY_NODE(Log1PBackward0,  // saved = self
              return div(grad, add(saved, wrapped_scalar(1))))
FG_UNARY_NODE(Expm1Backward0,  // saved = result
              return mul(grad, add(saved, wrapped_scalar(1))))
#undef FG_UNARY_NODE

struct ReluBackward0 final : UnaryNode<ReluBackward0> {  // saved = result
  std::string name() const override { return "ReluBackward0"; }
  Tensor backward(const Tensor& grad, const Tensor& result) {
    Tensor mask;
    {
      NoGradGuard no_grad;  // the mask is a constant of the backward graph
      mask = to_dtype(gt(result, wrapped_scalar(0)), grad.dtype());
    }
    return mul(grad, mask);
  }
};

struct NegBackward0 final : Node {
  std::string name() const override { return "NegBackward0"; }
  TensorList apply(TensorList&& g) override { return {neg(g[0])}; }
};

template <typename N>
Tensor record_unary(Tensor out, const Tensor& self, bool save_result) {
  if (autograd::compute_requires_grad({&self})) {
    auto node = make_node<N>();
    detail::record(out, node, {&self});
    if (save_result)
      node->save(out, /*is_output=*/true);
    else
      node->save(self);
  }
  return out;
}

Tensor sign_of(const Tensor& t) {
  return map_numeric(t, "sign", [](auto x) { return static_cast<decltype(x)>((x > 0) - (x < 0)); });
}

}  // namespace

Tensor neg(const Tensor& t) {
  if (t.dtype() == ScalarType::Bool)
    throw Error(
        "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
        "invert a mask, use the `~` or `logical_not()` operator instead.");
  Tensor out = map_numeric(t, "neg", [](auto x) { return -x; });
  if (autograd::compute_requires_grad({&t})) detail::record(out, make_node<NegBackward0>(), {&t});
  return out;
}

Tensor exp(const Tensor& t) {
  return record_unary<ExpBackward0>(
      map_floating_vec(t, "exp", kernels::exp_f32, [](auto x) { return std::exp(x); }), t, true);
}
Tensor log(const Tensor& t) {
  return record_unary<LogBackward0>(
      map_floating_vec(t, "log", kernels::log_f32, [](auto x) { return std::log(x); }), t, false);
}
Tensor sin(const Tensor& t) {
  return record_unary<SinBackward0>(
      map_floating(t, float_result(t), "sin", [](auto x) { return std::sin(x); }), t, false);
}
Tensor cos(const Tensor& t) {
  return record_unary<CosBackward0>(
      map_floating(t, float_result(t), "cos", [](auto x) { return std::cos(x); }), t, false);
}
Tensor tanh(const Tensor& t) {
  return record_unary<TanhBackward0>(
      map_floating_vec(t, "tanh", kernels::tanh_f32, [](auto x) { return std::tanh(x); }), t, true);
}
Tensor sigmoid(const Tensor& t) {
  return record_unary<SigmoidBackward0>(
      map_floating_vec(t, "sigmoid", kernels::sigmoid_f32,
                       [](auto x) { return kernels::sigmoid(x); }),
      t, true);
}
Tensor sqrt(const Tensor& t) {
  return record_unary<SqrtBackward0>(
      map_floating(t, float_result(t), "sqrt", [](auto x) { return std::sqrt(x); }), t, true);
}
Tensor log1p(const Tensor& t) {
  return record_unary<Log1PBackward0>(
      map_floating(t, float_result(t), "log1p", [](auto x) { return std::log1p(x); }), t, false);
}
Tensor expm1(const Tensor& t) {
  return record_unary<Expm1Backward0>(
      map_floating(t, float_result(t), "expm1", [](auto x) { return std::expm1(x); }), t, true);
}
Tensor relu(const Tensor& t) {
  if (t.dtype() == ScalarType::Bool)
    throw Error("\"clamp_min_scalar_cpu\" not implemented for 'Bool'");
  return record_unary<ReluBackward0>(
      map_numeric(t, "relu", [](auto x) { return kernels::relu(x); }), t, true);
}

namespace {
struct AbsBackward0 final : Node {
  std::string name() const override { return "AbsBackward0"; }
  TensorList apply(TensorList&& g) override {
    Tensor self = saved(0);
    Tensor s;
    {
      NoGradGuard no_grad;  // the sign is a constant of the backward graph
      s = sign_of(self);
    }
    return {mul(g[0], s)};
  }
};
}  // namespace

Tensor abs(const Tensor& t) {
  if (t.dtype() == ScalarType::Bool) throw Error("\"abs_cpu\" not implemented for 'Bool'");
  Tensor out = map_numeric(t, "abs", [](auto x) { return x < 0 ? -x : x; });
  return record_unary<AbsBackward0>(out, t, false);
}

namespace {
struct ClampBackward1 final : Node {
  std::optional<Scalar> min, max;
  std::string name() const override { return "ClampBackward1"; }
  TensorList apply(TensorList&& g) override {
    Tensor self = saved(0);
    Tensor mask;
    {
      // PyTorch passes the gradient where min <= x <= max (ties included).
      NoGradGuard no_grad;
      Tensor m = ones_like(self, ScalarType::Bool);
      if (min) m = mul(m, ge(self, wrapped_scalar(*min)));
      if (max) m = mul(m, le(self, wrapped_scalar(*max)));
      mask = to_dtype(m, g[0].dtype());
    }
    return {mul(g[0], mask)};
  }
};
}  // namespace

Tensor clamp(const Tensor& t, std::optional<Scalar> min, std::optional<Scalar> max) {
  if (!min && !max) throw Error("torch.clamp: At least one of 'min' or 'max' must not be None");
  if (t.dtype() == ScalarType::Bool) throw Error("\"clamp_cpu\" not implemented for 'Bool'");
  // A float bound on an integer tensor promotes the result, as in PyTorch.
  ScalarType dtype = t.dtype();
  if (!is_floating(dtype) && ((min && min->is_floating()) || (max && max->is_floating())))
    dtype = default_dtype();
  Tensor in = t;
  if (in.dtype() != dtype) {
    NoGradGuard no_grad;
    in = to_dtype(t, dtype);
  }
  Tensor out = detail::make_empty(t.sizes(), dtype);
  FG_DISPATCH_NUMERIC(dtype, "clamp", [&] {
    const scalar_t lo = min ? min->to<scalar_t>() : scalar_t(0);
    const scalar_t hi = max ? max->to<scalar_t>() : scalar_t(0);
    const bool has_lo = min.has_value(), has_hi = max.has_value();
    kernels::unary_kernel(detail::elementwise_geometry(out, {&in}), out.data<scalar_t>(),
                          in.data<scalar_t>(),
                          [=](scalar_t x) { return kernels::clamp(x, lo, hi, has_lo, has_hi); });
  });
  if (autograd::compute_requires_grad({&t})) {
    auto node = make_node<ClampBackward1>();
    node->min = min;
    node->max = max;
    detail::record(out, node, {&t});
    node->save(t);
  }
  return out;
}

}  // namespace fastgrad

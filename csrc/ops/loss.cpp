// Loss functions, each one Node (BinaryCrossEntropyBackward0, MseLossBackward0) like PyTorch.
#include <cmath>

#include "kernels/math.h"
#include "kernels/parallel.h"
#include "ops/binary_map.h"

namespace fastgrad {

namespace {

Tensor reduce(const Tensor& loss, Reduction r) {
  switch (r) {
    case Reduction::None: return loss;
    case Reduction::Mean: return mean(loss);
    case Reduction::Sum: return sum(loss);
  }
  return loss;
}

void check_same_shape(const Tensor& input, const Tensor& target, const char* op) {
  if (input.sizes() != target.sizes())
    throw ValueError(detail::cat(op, ": Using a target size (", shape_str(target.sizes()),
                                 ") that is different to the input size (",
                                 shape_str(input.sizes()),
                                 ") is deprecated. Please ensure they "
                                 "have the same size."));
}

// Every element must lie in [0, 1] (NaN fails too), checked before the kernel runs.
void check_unit_interval(const Tensor& t, const char* what) {
  // One pass over the data (NaN fails the test too); a validation, so no tensor ops.
  const Tensor c = t.contiguous();
  bool ok = true;
  FG_DISPATCH_FLOATING(c.dtype(), "binary_cross_entropy", [&] {
    const scalar_t* p = c.data<scalar_t>();
    for (int64_t i = 0, n = c.numel(); i < n && ok; ++i) ok = p[i] >= 0 && p[i] <= 1;
  });
  if (!ok) throw Error(detail::cat("all elements of ", what, " should be between 0 and 1"));
}

struct BinaryCrossEntropyBackward0 final : Node {
  Reduction reduction = Reduction::Mean;
  bool has_weight = false;
  std::string name() const override { return "BinaryCrossEntropyBackward0"; }
  TensorList apply(TensorList&& g) override {
    Tensor input = saved(0), target = saved(1);
    Tensor weight = has_weight ? saved(2) : Tensor();
    Tensor grad = reduction == Reduction::None ? g[0] : expand(g[0], input.sizes());
    const int64_t n = input.numel();
    Tensor gi, gt_;
    const bool fusable =
        !GradMode::is_enabled() && g[0].dtype() == input.dtype() &&
        (!weight.defined() || (weight.dtype() == input.dtype() && weight.sizes() == input.sizes()));
    if (needs_input_grad(0) && fusable) {
      gi = fused_input_grad(g[0], input, target, weight);
    } else if (needs_input_grad(0)) {
      // grad * (x - y) / max((1 - x) * x, 1e-12): PyTorch's EPSILON keeps x = 0 or 1 finite.
      Tensor denom = clamp(mul(sub(wrapped_scalar(1), input), input), Scalar(1e-12), std::nullopt);
      gi = div(mul(grad, sub(input, target)), denom);
      if (has_weight) gi = mul(gi, weight);
      if (reduction == Reduction::Mean) gi = div(gi, wrapped_scalar(n));
    }
    if (needs_input_grad(1)) {
      // d/dy = (log(1 - x) - log(x)), each clamped at -100 like the forward.
      Tensor l1 = clamp(log(sub(wrapped_scalar(1), input)), Scalar(-100.0), std::nullopt);
      Tensor l0 = clamp(log(input), Scalar(-100.0), std::nullopt);
      gt_ = mul(grad, sub(l1, l0));
      if (has_weight) gt_ = mul(gt_, weight);
      if (reduction == Reduction::Mean) gt_ = div(gt_, wrapped_scalar(n));
    }
    return {gi, gt_, Tensor()};
  }

  // The input gradient in one loop when the backward is not itself recorded: the same
  // operations in the same order as the composed formula above, so the same bits, without
  // its seven temporaries (on scalars those dominate the whole backward pass).
  Tensor fused_input_grad(const Tensor& g, const Tensor& input, const Tensor& target,
                          const Tensor& weight) {
    const bool per_element = reduction == Reduction::None;
    const Tensor x = input.contiguous(), y = target.contiguous();
    const Tensor w = weight.defined() ? weight.contiguous() : Tensor();
    const Tensor gc = per_element ? g.contiguous() : g;
    Tensor out = detail::make_empty(x.sizes(), x.dtype());
    const int64_t n = x.numel();
    FG_DISPATCH_FLOATING(x.dtype(), "binary_cross_entropy_backward", [&] {
      using T = scalar_t;
      const T* px = x.data<T>();
      const T* py = y.data<T>();
      const T* pw = w.defined() ? w.data<T>() : nullptr;
      const T* pg = gc.data<T>();
      T* po = out.data<T>();
      const T lo = static_cast<T>(1e-12), count = static_cast<T>(n);
      kernels::parallel_for(0, n, kernels::kGrainSize, [&](int64_t i0, int64_t i1) {
        for (int64_t i = i0; i < i1; ++i) {
          const T xi = px[i];
          const T d = kernels::clamp((T(1) - xi) * xi, lo, T(0), true, false);
          T r = ((per_element ? pg[i] : pg[0]) * (xi - py[i])) / d;
          if (pw) r = r * pw[i];
          if (reduction == Reduction::Mean) r = r / count;
          po[i] = r;
        }
      });
    });
    return out;
  }
};

struct MseLossBackward0 final : Node {
  Reduction reduction = Reduction::Mean;
  Shape shape;  // broadcast shape of input and target
  std::string name() const override { return "MseLossBackward0"; }
  TensorList apply(TensorList&& g) override {
    Tensor input = saved(0), target = saved(1);
    Tensor grad = reduction == Reduction::None ? g[0] : expand(g[0], shape);
    double norm =
        reduction == Reduction::Mean ? 2.0 / static_cast<double>(shape_numel(shape)) : 2.0;
    Tensor gi = mul(mul(wrapped_scalar(norm), sub(input, target)), grad);
    return {needs_input_grad(0) ? gi : Tensor(), needs_input_grad(1) ? neg(gi) : Tensor()};
  }
};

}  // namespace

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight,
                            Reduction reduction) {
  check_same_shape(input, target, "binary_cross_entropy");
  if (!is_floating(input.dtype()))
    throw Error(detail::cat("\"binary_cross_entropy\" not implemented for '",
                            scalar_type_name(input.dtype()), "'"));
  if (target.dtype() != input.dtype())
    throw Error(detail::cat("Found dtype ", scalar_type_name(target.dtype()), " but expected ",
                            scalar_type_name(input.dtype())));
  check_unit_interval(input, "input");
  check_unit_interval(target, "target");
  Tensor loss;
  {
    NoGradGuard no_grad;
    // (y - 1) * max(log1p(-x), -100) - y * max(log(x), -100): PyTorch clamps the logs at -100
    // so that x = 0 or 1 gives a finite loss.
    loss = detail::binary_map<false, false>(
        input, target, input.dtype(), "binary_cross_entropy", [](auto x, auto y) {
          using T = decltype(x);
          return (y - T(1)) * std::max(T(std::log1p(-x)), T(-100)) -
                 y * std::max(T(std::log(x)), T(-100));
        });
    if (weight.defined()) loss = mul(loss, weight);
    loss = reduce(loss, reduction);
  }
  if (autograd::compute_requires_grad({&input, &target, &weight})) {
    auto node = make_node<BinaryCrossEntropyBackward0>();
    node->reduction = reduction;
    node->has_weight = weight.defined();
    detail::record(loss, node, {&input, &target, &weight});
    node->save(input);
    node->save(target);
    if (weight.defined()) node->save(weight);
  }
  return loss;
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  Tensor loss;
  {
    NoGradGuard no_grad;
    // (x - y)^2 in one pass: the same roundings as sub then mul, one temporary fewer (a scalar
    // MSE call was three ops). Bool operands go through sub for its error message.
    if (input.dtype() == ScalarType::Bool || target.dtype() == ScalarType::Bool) {
      Tensor d = sub(input, target);
      loss = mul(d, d);
    } else {
      loss = detail::binary_map<false>(input, target, result_type(input, target), "mse_loss",
                                       [](auto x, auto y) { return (x - y) * (x - y); });
    }
    loss = reduce(loss, reduction);
  }
  if (autograd::compute_requires_grad({&input, &target})) {
    auto node = make_node<MseLossBackward0>();
    node->reduction = reduction;
    node->shape = broadcast_shapes(input.sizes(), target.sizes());
    detail::record(loss, node, {&input, &target});
    node->save(input);
    node->save(target);
  }
  return loss;
}

}  // namespace fastgrad

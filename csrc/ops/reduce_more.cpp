// prod, var/std, argmax/argmin, cumsum and norm.
#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/reduce.h"
#include "kernels/scan.h"
#include "ops/common.h"

namespace fastgrad {

namespace {

// t viewed as (outer, len, inner) around `dim` (all elements when dim < 0, for contiguous t).
kernels::LineGeometry line_geometry(const Tensor& t, int64_t dim) {
  kernels::LineGeometry g;
  if (dim < 0) {
    g.len = t.numel();
    g.sl = 1;
    return g;
  }
  for (int64_t d = 0; d < dim; ++d) g.outer *= t.sizes()[d];
  for (int64_t d = dim + 1; d < t.dim(); ++d) g.inner *= t.sizes()[d];
  g.len = t.sizes()[dim];
  // Contiguous input: outer stride len*inner, inner stride 1.
  g.so = g.len * g.inner;
  g.sl = g.inner;
  g.si = 1;
  return g;
}

ScalarType sum_type(ScalarType t) { return is_floating(t) ? t : ScalarType::Int64; }

// Product of all other elements along the line: prod's gradient factor, exact with zeros.
Tensor prod_others(const Tensor& t, int64_t dim) {
  Tensor c = contiguous(t);
  Tensor out = detail::make_empty(t.sizes(), t.dtype());
  kernels::prod_others_kernel(t.dtype(), line_geometry(c, dim), c.data_ptr(), out.data_ptr());
  return out;
}

struct ProdBackward final : Node {
  int64_t dim = -1;  // -1: all elements
  bool keepdim = false;
  std::string name() const override { return dim < 0 ? "ProdBackward0" : "ProdBackward1"; }
  TensorList apply(TensorList&& g) override {
    detail::require_first_order(*this, g[0]);
    Tensor self = saved(0);
    Tensor others;
    {
      NoGradGuard no_grad;  // first-order: the factor is a constant of the backward graph
      others = prod_others(self, dim);
    }
    Tensor grad = g[0];
    if (dim >= 0 && !keepdim) grad = unsqueeze(grad, dim);
    return {mul(expand(grad, self.sizes()), others)};
  }
};

Tensor prod_impl(const Tensor& t, int64_t dim, bool keepdim) {
  ScalarType dt = sum_type(t.dtype());
  Tensor c = contiguous(to_dtype(t.detach(), dt));
  Shape shape;
  if (dim >= 0) {
    shape = t.sizes();
    if (keepdim)
      shape[dim] = 1;
    else
      shape.erase(shape.begin() + dim);
  }
  Tensor out = detail::make_empty(shape, dt);
  kernels::prod_kernel(dt, line_geometry(c, dim), c.data_ptr(), out.data_ptr());
  if (autograd::compute_requires_grad({&t})) {
    auto node = make_node<ProdBackward>();
    node->dim = dim;
    node->keepdim = keepdim;
    detail::record(out, node, {&t});
    node->save(t);
  }
  return out;
}

}  // namespace

Tensor prod(const Tensor& t) { return prod_impl(t, -1, false); }
Tensor prod(const Tensor& t, int64_t dim, bool keepdim) {
  return prod_impl(t, t.dim() ? wrap_dim(dim, t.dim()) : -1, keepdim);
}

Tensor var(const Tensor& t, const std::vector<int64_t>& dims, double correction, bool keepdim) {
  if (!is_floating(t.dtype()))
    throw Error(detail::cat("std and var only support floating point and complex dtypes"));
  // Two passes (mean, then squared deviations): accurate, and differentiable through the ops.
  Tensor centered = sub(t, mean(t, dims, /*keepdim=*/true));
  int64_t n = 1;
  if (dims.empty())
    n = t.numel();
  else
    for (int64_t d : dims) n *= t.dim() ? t.sizes()[wrap_dim(d, t.dim())] : 1;
  Tensor ss = sum(mul(centered, centered), dims, keepdim);
  return detail::rename_grad_fn(
      div(ss, wrapped_scalar(std::max(0.0, static_cast<double>(n) - correction))), "VarBackward0");
}

Tensor std(const Tensor& t, const std::vector<int64_t>& dims, double correction, bool keepdim) {
  return detail::rename_grad_fn(sqrt(var(t, dims, correction, keepdim)), "StdBackward0");
}

namespace {
Tensor arg_extreme(const Tensor& t, std::optional<int64_t> dim, bool keepdim, bool is_max) {
  if (!dim) {
    if (t.numel() == 0)
      throw IndexError(
          detail::cat(is_max ? "argmax" : "argmin",
                      "(): Expected reduction dim to be specified for input.numel() == 0."));
    Tensor flat = reshape(t.detach(), {-1});
    Tensor idx = (is_max ? max(flat, 0, false) : min(flat, 0, false)).second;
    if (keepdim) return reshape(idx, Shape(t.dim(), 1));
    return idx;
  }
  const int64_t d = wrap_dim(*dim, t.dim());
  if (t.dim() > 0 && t.sizes()[d] == 0)
    throw IndexError(detail::cat(is_max ? "argmax" : "argmin", "(): Expected reduction dim ", d,
                                 " to have non-zero size."));
  return (is_max ? max(t.detach(), d, keepdim) : min(t.detach(), d, keepdim)).second;
}
}  // namespace

Tensor argmax(const Tensor& t, std::optional<int64_t> dim, bool keepdim) {
  return arg_extreme(t, dim, keepdim, true);
}
Tensor argmin(const Tensor& t, std::optional<int64_t> dim, bool keepdim) {
  return arg_extreme(t, dim, keepdim, false);
}

namespace {
struct CumsumBackward0 final : Node {
  int64_t dim = 0;
  std::string name() const override { return "CumsumBackward0"; }
  // The gradient of a running sum is the reversed running sum of the gradient.
  TensorList apply(TensorList&& g) override {
    return {flip(cumsum(flip(g[0], {dim}), dim), {dim})};
  }
};
}  // namespace

Tensor cumsum(const Tensor& t, int64_t dim) {
  const int64_t d = t.dim() ? wrap_dim(dim, t.dim()) : (wrap_dim(dim, 0), -1);
  ScalarType dt = sum_type(t.dtype());
  Tensor c = contiguous(to_dtype(t.detach(), dt));
  Tensor out = detail::make_empty(t.sizes(), dt);
  kernels::cumsum_kernel(dt, line_geometry(c, d), c.data_ptr(), out.data_ptr(), false);
  if (autograd::compute_requires_grad({&t})) {
    auto node = make_node<CumsumBackward0>();
    node->dim = d < 0 ? 0 : d;
    detail::record(out, node, {&t});
  }
  return out;
}

namespace {
Tensor norm_impl(const Tensor& t, double p, const std::vector<int64_t>& dims, bool keepdim);

// The 2-norm gets its own node: d||x||/dx = x / ||x||, defined as 0 where ||x|| = 0 (PyTorch's
// choice) instead of the 0 * inf = nan that sqrt's chain rule would give.
struct Norm2Backward final : Node {
  std::vector<int64_t> dims;  // wrapped, empty = all
  bool keepdim = false;
  std::string name() const override { return "LinalgVectorNormBackward0"; }
  TensorList apply(TensorList&& g) override {
    Tensor x = saved(0), n = saved(1);
    Tensor scale = where(eq(n, wrapped_scalar(0)), zeros({}, g[0].dtype()), div(g[0], n));
    if (!keepdim && !dims.empty()) {
      std::vector<int64_t> sorted = dims;
      std::sort(sorted.begin(), sorted.end());
      for (int64_t d : sorted) scale = unsqueeze(scale, d);
    }
    return {mul(x, scale)};
  }
};

Tensor norm2(const Tensor& t, const std::vector<int64_t>& dims, bool keepdim) {
  Tensor out;
  {
    NoGradGuard no_grad;
    Tensor sq = mul(t, t);
    out = sqrt(dims.empty() && !keepdim ? sum(sq) : sum(sq, dims, keepdim));
  }
  if (autograd::compute_requires_grad({&t})) {
    auto node = make_node<Norm2Backward>();
    for (int64_t d : dims) node->dims.push_back(wrap_dim(d, t.dim()));
    node->keepdim = keepdim;
    detail::record(out, node, {&t});
    node->save(t);
    node->save(out, true);
  }
  return out;
}
}  // namespace

Tensor norm(const Tensor& t, double p, const std::vector<int64_t>& dims, bool keepdim) {
  return detail::rename_grad_fn(norm_impl(t, p, dims, keepdim), "LinalgVectorNormBackward0");
}

namespace {
Tensor norm_impl(const Tensor& t, double p, const std::vector<int64_t>& dims, bool keepdim) {
  if (!is_floating(t.dtype()))
    throw Error(detail::cat(
        "linalg.vector_norm: Expected a floating point or complex tensor as input. Got ",
        scalar_type_name(t.dtype())));
  auto reduce_sum = [&](const Tensor& x) {
    return dims.empty() && !keepdim ? sum(x) : sum(x, dims, keepdim);
  };
  if (std::isinf(p)) {
    Tensor a = abs(t);
    if (dims.empty() && !keepdim) return p > 0 ? max(a) : min(a);
    if (dims.size() != 1) throw Error("norm: p=inf supports one dim at a time here");
    return (p > 0 ? max(a, dims[0], keepdim) : min(a, dims[0], keepdim)).first;
  }
  if (p == 1) return reduce_sum(abs(t));
  if (p == 2) return norm2(t, dims, keepdim);
  if (p == 0) return reduce_sum(to_dtype(ne(t, wrapped_scalar(0)), t.dtype()));
  return pow(reduce_sum(pow(abs(t), Scalar(p))), Scalar(1.0 / p));
}

}  // namespace

}  // namespace fastgrad

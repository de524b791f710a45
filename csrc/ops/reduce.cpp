// Reductions (sum, mean, max, min) with their backward nodes.
#include <algorithm>

#include "kernels/reduce.h"
#include "ops/common.h"

namespace fastgrad {

namespace {

// Which dims a reduction over `dims` touches; empty dims means all of them (PyTorch's sum(dim=[])
// reduces everything too).
std::vector<bool> reduce_mask(const Tensor& t, const std::vector<int64_t>& dims) {
  std::vector<bool> mask(static_cast<size_t>(t.dim()), dims.empty());
  for (int64_t d : dims) {
    int64_t w = wrap_dim(d, t.dim());
    if (t.dim() == 0) continue;
    if (mask[w] && !dims.empty() && std::count(dims.begin(), dims.end(), d) > 1)
      throw Error(detail::cat("dim ", w, " appears multiple times in the list of dims"));
    mask[w] = true;
  }
  return mask;
}

Shape reduced_shape(const Tensor& t, const std::vector<bool>& mask, bool keepdim) {
  Shape s;
  for (int64_t d = 0; d < t.dim(); ++d) {
    if (!mask[d])
      s.push_back(t.sizes()[d]);
    else if (keepdim)
      s.push_back(1);
  }
  return s;
}

// Re-inserts the reduced dims as size 1 so a gradient of the reduced shape broadcasts back.
Tensor unsqueeze_reduced(const Tensor& g, const Shape& in_shape, const std::vector<bool>& mask,
                         bool keepdim) {
  if (keepdim) return g;
  Shape s;
  for (size_t d = 0; d < in_shape.size(); ++d) s.push_back(mask[d] ? 1 : in_shape[d]);
  return reshape(g, s);
}

struct SumBackward : Node {
  Shape in_shape;
  std::vector<bool> mask;
  bool keepdim = false;
  bool all = true;
  int64_t count = 0;  // elements averaged, for mean
  std::string name_;
  std::string name() const override { return name_; }
  TensorList apply(TensorList&& g) override {
    Tensor grad = all ? g[0] : unsqueeze_reduced(g[0], in_shape, mask, keepdim);
    grad = expand(grad, in_shape);
    if (count) grad = div(grad, wrapped_scalar(count));
    return {grad};
  }
};

Tensor sum_impl(const Tensor& t, const std::vector<int64_t>& dims, bool keepdim, bool all,
                std::optional<ScalarType> dtype, bool is_mean) {
  ScalarType out_type = dtype.value_or(is_floating(t.dtype()) ? t.dtype() : ScalarType::Int64);
  if (is_mean && !is_floating(out_type))
    throw Error(detail::cat(
        "mean(): could not infer output dtype. Input dtype must be either a floating point or "
        "complex dtype. Got: ",
        scalar_type_name(t.dtype())));
  Tensor in = t;
  if (in.dtype() != out_type) {
    NoGradGuard no_grad;
    in = to_dtype(t, out_type);
  }
  std::vector<bool> mask = all ? std::vector<bool>(t.dim(), true) : reduce_mask(t, dims);
  kernels::ReduceGeometry g = kernels::make_reduce_geometry(in.sizes(), in.strides(), mask);
  Tensor out = detail::make_empty(reduced_shape(t, mask, keepdim && !all), out_type);
  // Mean of nothing is nan, like PyTorch (0/0).
  const double divisor = is_mean ? static_cast<double>(g.red_numel) : 1.0;
  kernels::sum_kernel(g, in.data_ptr(), out.data_ptr(), out_type, divisor);
  if (autograd::compute_requires_grad({&t})) {
    auto node = make_node<SumBackward>();
    node->in_shape = t.sizes();
    node->mask = mask;
    node->keepdim = keepdim;
    node->all = all;
    node->count = is_mean ? g.red_numel : 0;
    node->name_ = is_mean ? (all ? "MeanBackward0" : "MeanBackward1")
                          : (all ? "SumBackward0" : "SumBackward1");
    detail::record(out, node, {&t});
  }
  return out;
}

}  // namespace

Tensor sum(const Tensor& t, std::optional<ScalarType> dtype) {
  return sum_impl(t, {}, false, true, dtype, false);
}
Tensor sum(const Tensor& t, const std::vector<int64_t>& dims, bool keepdim,
           std::optional<ScalarType> dtype) {
  return sum_impl(t, dims, keepdim, false, dtype, false);
}
Tensor mean(const Tensor& t) { return sum_impl(t, {}, false, true, std::nullopt, true); }
Tensor mean(const Tensor& t, const std::vector<int64_t>& dims, bool keepdim) {
  return sum_impl(t, dims, keepdim, false, std::nullopt, true);
}

Tensor sum_to(const Tensor& t, const Shape& shape) {
  if (t.sizes() == shape) return t;
  const int64_t lead = t.dim() - static_cast<int64_t>(shape.size());
  std::vector<int64_t> dims;
  for (int64_t d = 0; d < t.dim(); ++d)
    if (d < lead || (shape[d - lead] == 1 && t.sizes()[d] != 1)) dims.push_back(d);
  Tensor r = dims.empty() ? t : sum(t, dims, /*keepdim=*/true);
  return r.sizes() == shape ? r : reshape(r, shape);
}

// ---- max / min

namespace {

// Gradient of a full max/min goes to every element equal to the extreme, split evenly
// (PyTorch's evenly_distribute_backward).
struct MaxMinAllBackward final : Node {
  bool is_max = true;
  std::string name() const override { return is_max ? "MaxBackward1" : "MinBackward1"; }
  TensorList apply(TensorList&& g) override {
    Tensor self = saved(0), result = saved(1);
    Tensor mask;
    {
      NoGradGuard no_grad;
      Tensor hits = to_dtype(eq(self, result), g[0].dtype());
      mask = div(hits, sum(hits));
    }
    return {mul(g[0], mask)};
  }
};

// Gradient along a dim goes to the index that was selected.
struct MaxMinDimBackward final : Node {
  bool is_max = true;
  int64_t dim = 0;
  bool keepdim = false;
  Shape in_shape;
  std::string name() const override { return is_max ? "MaxBackward0" : "MinBackward0"; }
  TensorList apply(TensorList&& g) override {
    Tensor indices = saved(0);
    Tensor grad = g[0];
    if (!keepdim && !in_shape.empty()) {
      grad = unsqueeze(grad, dim);
      indices = unsqueeze(indices, dim);
    }
    Tensor mask;
    {
      NoGradGuard no_grad;
      // one-hot along `dim`: position == index
      Shape pos_shape(in_shape.size(), 1);
      if (!in_shape.empty()) pos_shape[dim] = in_shape[dim];
      Tensor pos = reshape(arange(0, in_shape.empty() ? 1 : in_shape[dim], 1), pos_shape);
      mask = to_dtype(eq(pos, indices), grad.dtype());
    }
    return {mul(expand(grad, in_shape), mask)};
  }
};

Tensor minmax_all(const Tensor& t, bool is_max) {
  const char* name = is_max ? "max" : "min";
  if (t.numel() == 0)
    throw Error(detail::cat(name,
                            "(): Expected reduction dim to be specified for input.numel() == 0. "
                            "Specify the reduction dim with the 'dim' argument."));
  std::vector<bool> mask(t.dim(), true);
  kernels::ReduceGeometry g = kernels::make_reduce_geometry(t.sizes(), t.strides(), mask);
  Tensor out = detail::make_empty({}, t.dtype());
  kernels::minmax_kernel(g, t.data_ptr(), out.data_ptr(), nullptr, t.dtype(), is_max);
  if (autograd::compute_requires_grad({&t})) {
    auto node = make_node<MaxMinAllBackward>();
    node->is_max = is_max;
    detail::record(out, node, {&t});
    node->save(t);
    node->save(out, true);
  }
  return out;
}

std::pair<Tensor, Tensor> minmax_dim(const Tensor& t, int64_t dim, bool keepdim, bool is_max) {
  const char* name = is_max ? "max" : "min";
  int64_t d = wrap_dim(dim, t.dim());
  if (t.dim() > 0 && t.sizes()[d] == 0)
    throw IndexError(
        detail::cat(name, "(): Expected reduction dim ", d, " to have non-zero size."));
  std::vector<bool> mask(t.dim(), false);
  if (t.dim() > 0) mask[d] = true;
  kernels::ReduceGeometry g = kernels::make_reduce_geometry(t.sizes(), t.strides(), mask);
  Shape shape = reduced_shape(t, mask, keepdim);
  Tensor values = detail::make_empty(shape, t.dtype());
  Tensor indices = detail::make_empty(shape, ScalarType::Int64);
  kernels::minmax_kernel(g, t.data_ptr(), values.data_ptr(), indices.data<int64_t>(), t.dtype(),
                         is_max);
  if (autograd::compute_requires_grad({&t})) {
    auto node = make_node<MaxMinDimBackward>();
    node->is_max = is_max;
    node->dim = d;
    node->keepdim = keepdim;
    node->in_shape = t.sizes();
    detail::record(values, node, {&t});
    node->save(indices);
  }
  return {values, indices};
}

}  // namespace

Tensor max(const Tensor& t) { return minmax_all(t, true); }
Tensor min(const Tensor& t) { return minmax_all(t, false); }
std::pair<Tensor, Tensor> max(const Tensor& t, int64_t dim, bool keepdim) {
  return minmax_dim(t, dim, keepdim, true);
}
std::pair<Tensor, Tensor> min(const Tensor& t, int64_t dim, bool keepdim) {
  return minmax_dim(t, dim, keepdim, false);
}

}  // namespace fastgrad

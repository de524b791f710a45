// Dtype conversion, clone, contiguous and copy_ — with their backward nodes.
#include "kernels/copy.h"
#include "ops/common.h"

namespace fastgrad {

namespace {

// out = src converted to out's dtype, elementwise with broadcasting of src.
void copy_into(const Tensor& out, const Tensor& src) {
  kernels::copy_cast(detail::elementwise_geometry(out, {&src}), out.data_ptr(), out.dtype(),
                     src.data_ptr(), src.dtype());
}

struct ToCopyBackward0 final : Node {
  ScalarType src_dtype;
  std::string name() const override { return "ToCopyBackward0"; }
  TensorList apply(TensorList&& g) override { return {to_dtype(g[0], src_dtype)}; }
};

struct CloneBackward0 final : Node {
  std::string name() const override { return "CloneBackward0"; }
  TensorList apply(TensorList&& g) override { return {g[0]}; }
};

}  // namespace

Tensor to_dtype(const Tensor& t, ScalarType dtype) {
  if (t.dtype() == dtype) return t;
  Tensor out = detail::make_empty(t.sizes(), dtype);
  copy_into(out, t);
  if (autograd::compute_requires_grad({&t}) && is_floating(dtype)) {
    auto node = make_node<ToCopyBackward0>();
    node->src_dtype = t.dtype();
    detail::record(out, node, {&t});
  }
  return out;
}

Tensor clone(const Tensor& t) {
  Tensor out = detail::make_empty(t.sizes(), t.dtype());
  copy_into(out, t);
  if (autograd::compute_requires_grad({&t})) detail::record(out, make_node<CloneBackward0>(), {&t});
  return out;
}

Tensor contiguous(const Tensor& t) { return t.is_contiguous() ? t : clone(t); }

}  // namespace fastgrad

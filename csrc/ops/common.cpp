#include "ops/common.h"

namespace fastgrad::detail {

std::vector<int64_t> broadcast_byte_strides(const Tensor& t, const Shape& shape) {
  const int64_t nd = static_cast<int64_t>(shape.size());
  const int64_t off = nd - t.dim();
  const int64_t es = static_cast<int64_t>(element_size(t.dtype()));
  std::vector<int64_t> s(nd, 0);
  for (int64_t d = 0; d < t.dim(); ++d)
    s[d + off] = t.sizes()[d] == 1 && shape[d + off] != 1 ? 0 : t.strides()[d] * es;
  return s;
}

kernels::Geometry elementwise_geometry(const Tensor& out,
                                       std::initializer_list<const Tensor*> inputs) {
  // Common case, and the one that matters for tiny tensors: every operand contiguous with the
  // output's shape is one flat run (what make_geometry would find, without its work).
  bool flat = out.is_contiguous();
  for (const Tensor* t : inputs) flat = flat && t->is_contiguous() && t->sizes() == out.sizes();
  if (flat) {
    kernels::Geometry g;
    g.numel = out.numel();
    g.noperands = 1 + static_cast<int>(inputs.size());
    if (g.numel == 1) return g;  // 0 dims: one element at each base pointer
    g.sizes = {g.numel};
    g.strides[0] = {static_cast<int64_t>(element_size(out.dtype()))};
    int k = 1;
    for (const Tensor* t : inputs)
      g.strides[k++] = {static_cast<int64_t>(element_size(t->dtype()))};
    return g;
  }
  std::vector<std::vector<int64_t>> strides;
  strides.push_back(broadcast_byte_strides(out, out.sizes()));
  for (const Tensor* t : inputs) strides.push_back(broadcast_byte_strides(*t, out.sizes()));
  return kernels::make_geometry(out.sizes(), strides);
}

void check_inplace(const Tensor& self, const char* op) {
  if (self.impl()->is_inference() && !InferenceMode::is_enabled())
    throw Error(
        "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a "
        "clone to get a normal tensor before doing inplace update.See "
        "https://github.com/pytorch/rfcs/pull/17 for more details.");
  auto* meta = self.impl()->autograd_meta();
  if (!meta || !GradMode::is_enabled()) return;
  if (!meta->grad_fn && meta->requires_grad)
    throw Error("a leaf Variable that requires grad is being used in an in-place operation.");
  if (meta->view_base.defined()) {
    auto* base = meta->view_base.impl()->autograd_meta();
    if (base && !base->grad_fn && base->requires_grad)
      throw Error(
          "a view of a leaf Variable that requires grad is being used in an in-place operation.");
  }
}

void bump_version(const Tensor& self) { self.impl()->storage()->bump_version(); }

Tensor as_strided(const Tensor& t, const Shape& sizes, const Shape& strides, int64_t offset) {
  return Tensor(
      detail::make_pooled<TensorImpl>(t.impl()->storage(), t.dtype(), sizes, strides, offset));
}

}  // namespace fastgrad::detail

#pragma once
// Helpers shared by the op families: output allocation, iteration geometry from tensors, and
// the autograd recording boilerplate.
#include <vector>

#include "fastgrad/grad_mode.h"
#include "fastgrad/node.h"
#include "fastgrad/ops.h"
#include "fastgrad/tensor_impl.h"
#include "kernels/loop.h"

namespace fastgrad::detail {

inline Tensor make_empty(const Shape& shape, ScalarType dtype) {
  return Tensor(detail::make_pooled<TensorImpl>(dtype, shape));
}

// Strides (bytes) of `t` aligned to `shape`, with 0 along broadcast dims.
std::vector<int64_t> broadcast_byte_strides(const Tensor& t, const Shape& shape);

// Geometry for out = f(inputs...) where out has shape `out.sizes()` and inputs broadcast to it.
kernels::Geometry elementwise_geometry(const Tensor& out,
                                       std::initializer_list<const Tensor*> inputs);

// Converts to `dtype` if needed (no copy otherwise).
inline Tensor maybe_cast(const Tensor& t, ScalarType dtype) {
  return t.dtype() == dtype ? t : to_dtype(t, dtype);
}

// Records `node` as the grad_fn of `out` with edges to `inputs`.
template <typename N>
void record(const Tensor& out, std::shared_ptr<N> node,
            std::initializer_list<const Tensor*> inputs) {
  autograd::collect_next_edges(*node, inputs);
  autograd::set_history(out, node);
}

// A view of t's storage with the given geometry (no autograd).
inline Tensor make_view(const Tensor& t, Shape sizes, Shape strides, int64_t offset) {
  Tensor v(detail::make_pooled<TensorImpl>(t.impl()->storage(), t.dtype(), std::move(sizes),
                                           std::move(strides), offset));
  v.impl()->set_inference(t.impl()->is_inference());  // a view is what its base is
  return v;
}

// Remembers the base of a view made while grad mode is on, so that an in-place write through
// the view can rewrite the base's history (even when the written value is what requires grad).
inline Tensor track_view(Tensor out, const Tensor& self) {
  if (GradMode::is_enabled()) {
    auto* in_meta = self.impl()->autograd_meta();
    out.impl()->ensure_autograd_meta().view_base =
        in_meta && in_meta->view_base.defined() ? in_meta->view_base : self;
  }
  return out;
}

// Records `node` for a view of `self` (and tracks the base as above).
template <typename N>
Tensor record_view(Tensor out, const Tensor& self, std::shared_ptr<N> node) {
  if (autograd::compute_requires_grad({&self})) record(out, node, {&self});
  return track_view(out, self);
}

// Gives the grad_fn of a composite op's result the op's own name (no-op without history).
inline Tensor rename_grad_fn(Tensor t, const char* name) {
  if (auto fn = t.grad_fn()) fn->set_display_name(name);
  return t;
}

// Backward formulas that run raw kernels are first order only: refuse, rather than silently
// treat as constant, a gradient that is itself being differentiated (create_graph).
inline void require_first_order(const Node& node, const Tensor& grad) {
  if (GradMode::is_enabled() && grad.requires_grad())
    throw Error(
        detail::cat("double backward through ", node.display_name(), " is not supported yet"));
}

// Refuses an in-place write where autograd cannot follow it.
void check_inplace(const Tensor& self, const char* op);
// After an in-place write: bump the version and, if it is to be differentiated, make `node`
// the new grad_fn of `self` (its edge 0 must point at self's previous history).
void bump_version(const Tensor& self);
// A view with explicit geometry over t's storage (offset in elements from the storage start);
// no autograd.
Tensor as_strided(const Tensor& t, const Shape& sizes, const Shape& strides, int64_t offset);

}  // namespace fastgrad::detail

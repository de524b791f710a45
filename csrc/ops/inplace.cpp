// In-place ops (add_, mul_, zero_, ...). Without autograd they write straight into the tensor.
// When the write must be differentiated, the op runs out of place on the old value (cloned if
// the backward formula needs it) and the result is copied in, with the op's node becoming the
// tensor's new grad_fn — so saved copies of the old value are detected by the version counter.
#include "kernels/copy.h"
#include "kernels/math.h"
#include "ops/binary_map.h"

namespace fastgrad {

namespace {

bool can_cast(ScalarType from, ScalarType to) {
  if (is_floating(from) && !is_floating(to)) return false;
  if (from != ScalarType::Bool && to == ScalarType::Bool) return false;
  return true;
}

// A handle on self's current value and history that the write below does not affect.
Tensor old_value(const Tensor& self, bool needs_copy) {
  if (needs_copy) return clone(self);
  Tensor alias = detach(self);
  if (auto* meta = self.impl()->autograd_meta(); meta && meta->grad_fn) {
    auto& m = alias.impl()->ensure_autograd_meta();
    m.grad_fn = meta->grad_fn;
    m.output_nr = meta->output_nr;
  }
  return alias;
}

// Where a view sits inside its base's storage.
struct Geometry {
  Shape sizes, strides;
  int64_t offset = 0;
};
Geometry geometry_of(const Tensor& t) { return {t.sizes(), t.strides(), t.storage_offset()}; }

// A zero buffer laid out like `base`, with `region` (a view of it placed like `view`): the
// gradient of a base tensor built from a gradient of one of its views.
std::pair<Tensor, Tensor> base_shaped_buffer(const Geometry& base, const Geometry& view,
                                             ScalarType dtype) {
  int64_t extent = 1;
  for (size_t d = 0; d < base.sizes.size(); ++d) extent += (base.sizes[d] - 1) * base.strides[d];
  if (shape_numel(base.sizes) == 0) extent = 0;
  Tensor buf = zeros({extent}, dtype);
  Tensor whole = detail::as_strided(buf, base.sizes, base.strides, 0);
  Tensor region = detail::as_strided(buf, view.sizes, view.strides, view.offset - base.offset);
  return {whole, region};
}

// The base's new grad_fn after a write through one of its views: the written region's
// gradient goes to the op that produced the new values, the rest to the base's old history.
struct CopySlices final : Node {
  Geometry base, view;
  std::string name() const override { return "CopySlices"; }
  TensorList apply(TensorList&& g) override {
    detail::require_first_order(*this, g[0]);
    NoGradGuard no_grad;
    auto [whole, region] = base_shaped_buffer(base, view, g[0].dtype());
    whole.copy_(g[0]);
    Tensor g_new = clone(region);
    region.zero_();
    return {whole, g_new};
  }
};

// The view's grad_fn after the write: its gradient lands in its region of the base.
struct AsStridedBackward0 final : Node {
  Geometry base, view;
  std::string name() const override { return "AsStridedBackward0"; }
  TensorList apply(TensorList&& g) override {
    detail::require_first_order(*this, g[0]);
    NoGradGuard no_grad;
    auto [whole, region] = base_shaped_buffer(base, view, g[0].dtype());
    region.copy_(g[0]);
    return {whole};
  }
};

// Copies `result` (value and history) into self.
void commit(const Tensor& self, const Tensor& result) {
  {
    NoGradGuard no_grad;
    kernels::copy_cast(detail::elementwise_geometry(self, {&result}), self.data_ptr(), self.dtype(),
                       result.data_ptr(), result.dtype());
  }
  detail::bump_version(self);
  if (!result.requires_grad()) return;
  auto& meta = self.impl()->ensure_autograd_meta();
  // The node recorded result's dtype; make it self's so the engine casts consistently.
  result.grad_fn()->mutable_input_metadata()[result.output_nr()].dtype = self.dtype();
  if (!meta.view_base.defined()) {
    meta.grad_fn = result.grad_fn();
    meta.output_nr = result.output_nr();
    return;
  }
  // Written through a view: rewrite the base's history, then re-derive the view from it.
  Tensor base = meta.view_base;
  auto copy = make_node<CopySlices>();
  copy->base = geometry_of(base);
  copy->view = geometry_of(self);
  copy->mutable_next_edges() = {autograd::gradient_edge(base),
                                Edge{result.grad_fn(), result.output_nr()}};
  autograd::set_history(base, copy);
  auto view_fn = make_node<AsStridedBackward0>();
  view_fn->base = copy->base;
  view_fn->view = copy->view;
  view_fn->mutable_next_edges() = {Edge{copy, 0}};
  meta.grad_fn = view_fn;
  meta.output_nr = view_fn->add_input_metadata(self);
}

// self = op(self, other) in place. `fast` computes into a given output; `differentiable`
// is the out-of-place op with autograd; `saves_self` says whether its node keeps self.
template <typename Fast, typename Slow>
const Tensor& binary_inplace(const Tensor& self, const Tensor& other, const char* name,
                             ScalarType compute, bool saves_self, const Fast& fast,
                             const Slow& differentiable) {
  detail::check_inplace(self, name);
  // The common update (gradient accumulation, optimizer steps): same dtype and shape, both
  // contiguous, separate buffers, nothing to record. None of the broadcasting, casting and
  // overlap handling below applies: straight to the loop.
  if (compute == self.dtype() && other.dtype() == compute && self.sizes() == other.sizes() &&
      self.is_contiguous() && other.is_contiguous() &&
      self.impl()->storage() != other.impl()->storage() &&
      !autograd::compute_requires_grad({&self, &other})) {
    fast(self);
    detail::bump_version(self);
    return self;
  }
  if (!can_cast(compute, self.dtype()))
    throw Error(detail::cat("result type ", scalar_type_name(compute),
                            " can't be cast to the desired output type ",
                            scalar_type_name(self.dtype())));
  Shape shape = broadcast_shapes(self.sizes(), other.sizes(), name);
  if (shape != self.sizes())
    throw Error(detail::cat("output with shape ", shape_str(self.sizes()),
                            " doesn't match the broadcast shape ", shape_str(shape)));
  if (autograd::compute_requires_grad({&self, &other})) {
    commit(self, differentiable(old_value(self, saves_self && other.requires_grad()), other));
    return self;
  }
  const bool overlaps =
      other.impl()->storage() == self.impl()->storage() &&
      (other.strides() != self.strides() || other.storage_offset() != self.storage_offset());
  if (compute == self.dtype() && self.is_contiguous() && !overlaps) {
    fast(self);
  } else {
    NoGradGuard no_grad;
    commit(self, differentiable(self, other));
    return self;
  }
  detail::bump_version(self);
  return self;
}

}  // namespace

const Tensor& Tensor::add_(const Tensor& other, const Scalar& alpha) const {
  const ScalarType dt = result_type(*this, other);
  detail::alpha_check(dt, alpha);
  return binary_inplace(
      *this, other, "add_", dt, false,
      [&](const Tensor& out) {
        detail::binary_map<false>(
            *this, other, dt, "add_",
            [al = detail::ScalarAs(alpha)](auto x, auto y) {
              return x + al.get<decltype(y)>() * y;
            },
            out);
      },
      [&](const Tensor& a, const Tensor& b) { return fastgrad::add(a, b, alpha); });
}

const Tensor& Tensor::sub_(const Tensor& other, const Scalar& alpha) const {
  const ScalarType dt = result_type(*this, other);
  detail::alpha_check(dt, alpha);
  return binary_inplace(
      *this, other, "sub_", dt, false,
      [&](const Tensor& out) {
        detail::binary_map<false, false>(
            *this, other, dt, "sub_",
            [al = detail::ScalarAs(alpha)](auto x, auto y) {
              return x - al.get<decltype(y)>() * y;
            },
            out);
      },
      [&](const Tensor& a, const Tensor& b) { return fastgrad::sub(a, b, alpha); });
}

const Tensor& Tensor::mul_(const Tensor& other) const {
  const ScalarType dt = result_type(*this, other);
  return binary_inplace(
      *this, other, "mul_", dt, true,
      [&](const Tensor& out) {
        detail::binary_map<false>(
            *this, other, dt, "mul_",
            [](auto x, auto y) {
              if constexpr (std::is_same_v<decltype(x), bool>)
                return x && y;
              else
                return x * y;
            },
            out);
      },
      [&](const Tensor& a, const Tensor& b) { return fastgrad::mul(a, b); });
}

const Tensor& Tensor::div_(const Tensor& other) const {
  ScalarType dt = result_type(*this, other);
  if (!is_floating(dt)) dt = default_dtype();
  return binary_inplace(
      *this, other, "div_", dt, true,
      [&](const Tensor& out) {
        detail::binary_map<false>(
            *this, other, dt, "div_", [](auto x, auto y) { return x / y; }, out);
      },
      [&](const Tensor& a, const Tensor& b) { return fastgrad::div(a, b); });
}

namespace {
// After zero_/fill_ the value no longer depends on the old history: gradient is zero.
struct FillBackward final : Node {
  std::string name_;
  std::string name() const override { return name_; }
  TensorList apply(TensorList&& g) override { return {zeros_like(g[0])}; }
};
}  // namespace

const Tensor& Tensor::fill_(const Scalar& value) const {
  detail::check_inplace(*this, "fill_");
  if (GradMode::is_enabled() && requires_grad()) {
    // The new value is a constant: its node passes zeros back to the old history.
    Tensor r = full(sizes(), value, dtype());
    auto node = make_node<FillBackward>();
    node->name_ = "FillBackward2";
    Tensor old = old_value(*this, false);
    autograd::collect_next_edges(*node, {&old});
    autograd::set_history(r, node);
    commit(*this, r);
    return *this;
  }
  kernels::fill(detail::elementwise_geometry(*this, {}), data_ptr(), dtype(), value);
  detail::bump_version(*this);
  return *this;
}

const Tensor& Tensor::copy_(const Tensor& src) const {
  if (!is_expandable_to(src.sizes(), sizes())) {
    NoGradGuard no_grad;
    fastgrad::expand(src, sizes());  // throws PyTorch's "expanded size" message
  }
  detail::check_inplace(*this, "copy_");
  if (autograd::compute_requires_grad({this, &src})) {
    // The old value is overwritten entirely: gradient flows only to src (zeros to the old
    // history when src is a constant).
    Tensor r = fastgrad::clone(fastgrad::expand(to_dtype(src, dtype()), sizes()));
    if (!r.requires_grad()) {
      auto node = make_node<FillBackward>();
      node->name_ = "CopyBackwards";
      Tensor old = old_value(*this, false);
      autograd::collect_next_edges(*node, {&old});
      autograd::set_history(r, node);
    }
    commit(*this, r);
    return *this;
  }
  kernels::copy_cast(detail::elementwise_geometry(*this, {&src}), data_ptr(), dtype(),
                     src.data_ptr(), src.dtype());
  detail::bump_version(*this);
  return *this;
}

const Tensor& Tensor::zero_() const {
  fill_(Scalar(int64_t{0}));
  if (auto fn = std::dynamic_pointer_cast<FillBackward>(grad_fn())) fn->name_ = "ZeroBackward0";
  if (auto* meta = impl()->autograd_meta(); meta && meta->view_base.defined())
    if (auto fn = std::dynamic_pointer_cast<FillBackward>(meta->view_base.grad_fn()))
      fn->name_ = "ZeroBackward0";
  return *this;
}

const Tensor& Tensor::clamp_(std::optional<Scalar> min, std::optional<Scalar> max) const {
  detail::check_inplace(*this, "clamp_");
  if (autograd::compute_requires_grad({this})) {
    commit(*this, fastgrad::clamp(old_value(*this, true), min, max));
    return *this;
  }
  Tensor r = fastgrad::clamp(*this, min, max);
  if (!can_cast(r.dtype(), dtype()))
    throw Error(detail::cat("result type ", scalar_type_name(r.dtype()),
                            " can't be cast to the desired output type ",
                            scalar_type_name(dtype())));
  commit(*this, r);
  return *this;
}

namespace {
// self = f(self) in place, for ops whose out-of-place form already records autograd.
template <typename F>
const Tensor& inplace_via(const Tensor& self, const char* name, bool saves_self,
                          const Tensor& other, const F& f) {
  detail::check_inplace(self, name);
  if (autograd::compute_requires_grad({&self, &other})) {
    commit(self, f(old_value(self, saves_self)));
  } else {
    NoGradGuard no_grad;
    commit(self, f(self));
  }
  return self;
}
}  // namespace

const Tensor& index_put_(const Tensor& t, const TensorList& indices, const Tensor& values,
                         bool accumulate) {
  return inplace_via(t, "index_put_", false, values,
                     [&](const Tensor& x) { return index_put(x, indices, values, accumulate); });
}

const Tensor& masked_fill_(const Tensor& t, const Tensor& mask, const Tensor& value) {
  return inplace_via(t, "masked_fill_", false, value,
                     [&](const Tensor& x) { return masked_fill(x, mask, value); });
}

}  // namespace fastgrad

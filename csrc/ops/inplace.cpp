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

// Copies `result` (value and history) into self.
void commit(const Tensor& self, const Tensor& result) {
  {
    NoGradGuard no_grad;
    kernels::copy_cast(detail::elementwise_geometry(self, {&result}), self.data_ptr(),
                       self.dtype(), result.data_ptr(), result.dtype());
  }
  detail::bump_version(self);
  if (result.requires_grad()) {
    auto& meta = self.impl()->ensure_autograd_meta();
    meta.grad_fn = result.grad_fn();
    meta.output_nr = result.output_nr();
    // The node recorded result's dtype; make it self's so the engine casts consistently.
    meta.grad_fn->mutable_input_metadata()[meta.output_nr].dtype = self.dtype();
  }
}

// self = op(self, other) in place. `fast` computes into a given output; `differentiable`
// is the out-of-place op with autograd; `saves_self` says whether its node keeps self.
template <typename Fast, typename Slow>
const Tensor& binary_inplace(const Tensor& self, const Tensor& other, const char* name,
                             ScalarType compute, bool saves_self, const Fast& fast,
                             const Slow& differentiable) {
  detail::check_inplace(self, name);
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
  const bool overlaps = other.impl()->storage() == self.impl()->storage() &&
                        (other.strides() != self.strides() ||
                         other.storage_offset() != self.storage_offset());
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
  return binary_inplace(
      *this, other, "add_", dt, false,
      [&](const Tensor& out) {
        detail::binary_map<false>(*this, other, dt, "add_",
                                  [&](auto x, auto y) { return x + alpha.to<decltype(y)>() * y; }, out);
      },
      [&](const Tensor& a, const Tensor& b) { return fastgrad::add(a, b, alpha); });
}

const Tensor& Tensor::sub_(const Tensor& other, const Scalar& alpha) const {
  const ScalarType dt = result_type(*this, other);
  return binary_inplace(
      *this, other, "sub_", dt, false,
      [&](const Tensor& out) {
        detail::binary_map<false, false>(*this, other, dt, "sub_",
                                         [&](auto x, auto y) { return x - alpha.to<decltype(y)>() * y; }, out);
      },
      [&](const Tensor& a, const Tensor& b) { return fastgrad::sub(a, b, alpha); });
}

const Tensor& Tensor::mul_(const Tensor& other) const {
  const ScalarType dt = result_type(*this, other);
  return binary_inplace(
      *this, other, "mul_", dt, true,
      [&](const Tensor& out) {
        detail::binary_map<false>(*this, other, dt, "mul_", [](auto x, auto y) {
          if constexpr (std::is_same_v<decltype(x), bool>) return x && y;
          else return x * y;
        }, out);
      },
      [&](const Tensor& a, const Tensor& b) { return fastgrad::mul(a, b); });
}

const Tensor& Tensor::div_(const Tensor& other) const {
  ScalarType dt = result_type(*this, other);
  if (!is_floating(dt)) dt = default_dtype();
  return binary_inplace(
      *this, other, "div_", dt, true,
      [&](const Tensor& out) {
        detail::binary_map<false>(*this, other, dt, "div_", [](auto x, auto y) { return x / y; }, out);
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
  kernels::fill(detail::elementwise_geometry(*this, {}), data_ptr(), dtype(), value);
  detail::bump_version(*this);
  if (GradMode::is_enabled() && requires_grad() && !is_leaf()) {
    auto node = make_node<FillBackward>();
    node->name_ = "FillBackward0";
    Tensor old = old_value(*this, false);
    autograd::collect_next_edges(*node, {&old});
    auto& meta = impl()->ensure_autograd_meta();
    meta.output_nr = node->add_input_metadata(*this);
    meta.grad_fn = node;
  }
  return *this;
}

const Tensor& Tensor::zero_() const {
  fill_(Scalar(int64_t{0}));
  if (auto fn = std::dynamic_pointer_cast<FillBackward>(grad_fn())) fn->name_ = "ZeroBackward0";
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
                            " can't be cast to the desired output type ", scalar_type_name(dtype())));
  commit(*this, r);
  return *this;
}

}  // namespace fastgrad

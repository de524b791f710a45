// Tensor's methods: metadata accessors and the autograd surface (op method forms:
// tensor_methods.cpp).
#include "fastgrad/tensor.h"

#include "fastgrad/autograd.h"
#include "fastgrad/grad_mode.h"
#include "fastgrad/ops.h"
#include "fastgrad/tensor_impl.h"
#include "ops/common.h"

namespace fastgrad {

namespace {
void check_defined(const Tensor& t) {
  if (!t.defined()) throw Error("undefined tensor");
}
}  // namespace

int64_t Tensor::size(int64_t d) const { return impl_->sizes()[wrap_dim(d, dim())]; }
int64_t Tensor::stride(int64_t d) const { return impl_->strides()[wrap_dim(d, dim())]; }
uint32_t Tensor::version() const { return impl_->storage()->version(); }

template <typename T>
T Tensor::item() const {
  return item().to<T>();
}
template FASTGRAD_API float Tensor::item<float>() const;
template FASTGRAD_API double Tensor::item<double>() const;
template FASTGRAD_API int64_t Tensor::item<int64_t>() const;
template FASTGRAD_API bool Tensor::item<bool>() const;

Scalar Tensor::item() const {
  check_defined(*this);
  if (numel() != 1)
    throw Error(detail::cat("a Tensor with ", numel(), " elements cannot be converted to Scalar"));
  Scalar result(0.0);
  FG_DISPATCH_ALL(dtype(), "item", [&] {
    scalar_t v = *static_cast<const scalar_t*>(data_ptr());
    if constexpr (std::is_same_v<scalar_t, bool>)
      result = Scalar(v);
    else if constexpr (std::is_integral_v<scalar_t>)
      result = Scalar(static_cast<int64_t>(v));
    else
      result = Scalar(static_cast<double>(v));
  });
  return result;
}

// ---- autograd surface

const Tensor& Tensor::set_requires_grad(bool requires_grad) const {
  auto* m = impl_->autograd_meta();
  if (m && m->grad_fn) {
    if (!requires_grad)
      throw Error(
          "you can only change requires_grad flags of leaf variables. If you want to use a "
          "computed variable in a subgraph that doesn't require differentiation use "
          "var_no_grad = var.detach().");
    return *this;
  }
  if (requires_grad && impl_->is_inference() && !InferenceMode::is_enabled())
    throw Error(
        "Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.");
  if (requires_grad && !is_floating(dtype()))
    throw Error("Only Tensors of floating point and complex dtype can require gradients");
  if (requires_grad || m) impl_->ensure_autograd_meta().requires_grad = requires_grad;
  return *this;
}

bool Tensor::is_leaf() const {
  auto* m = impl_->autograd_meta();
  return !m || !m->grad_fn;
}

std::shared_ptr<Node> Tensor::grad_fn() const {
  auto* m = impl_->autograd_meta();
  return m ? m->grad_fn : nullptr;
}

uint32_t Tensor::output_nr() const {
  auto* m = impl_->autograd_meta();
  return m ? m->output_nr : 0;
}

Tensor Tensor::grad() const {
  auto* m = impl_->autograd_meta();
  return m ? m->grad : Tensor();
}

void Tensor::set_grad(const Tensor& grad) const {
  if (grad.defined()) {
    if (grad.dtype() != dtype())
      throw Error(detail::cat("assigned grad has data of a different type"));
    if (grad.sizes() != sizes())
      throw Error(detail::cat("assigned grad has data of a different size"));
  }
  if (!grad.defined() && !impl_->autograd_meta()) return;
  impl_->ensure_autograd_meta().grad = grad;
}

void Tensor::retain_grad() const {
  if (!requires_grad()) throw Error("can't retain_grad on Tensor that has requires_grad=False");
  auto& m = impl_->ensure_autograd_meta();
  if (!m.grad_fn) return;  // leaves keep their grad anyway
  if (m.retains_grad) return;
  m.retains_grad = true;
  m.grad_fn->add_retain_grad(m.output_nr, impl_);
}

bool Tensor::retains_grad() const {
  auto* m = impl_->autograd_meta();
  return m && m->retains_grad;
}

void Tensor::backward(const Tensor& gradient, std::optional<bool> retain_graph,
                      bool create_graph) const {
  autograd::backward(*this, gradient, retain_graph, create_graph);
}

Tensor Tensor::detach() const { return fastgrad::detach(*this); }

const Tensor& Tensor::detach_() const {
  auto* m = impl_->autograd_meta();
  if (m) {
    m->grad_fn.reset();
    m->requires_grad = false;
    m->output_nr = 0;
    m->view_base = Tensor();
  }
  return *this;
}

Tensor Tensor::variable_data() const {
  auto impl = detail::make_pooled<TensorImpl>(Storage::alias_of(impl_->storage()), dtype(), sizes(),
                                              strides(), storage_offset());
  return Tensor(std::move(impl));
}

void Tensor::register_hook(std::function<Tensor(const Tensor&)> hook) const {
  if (!requires_grad())
    throw Error("cannot register a hook on a tensor that doesn't require gradient");
  auto& m = impl_->ensure_autograd_meta();
  if (m.grad_fn)
    m.grad_fn->add_pre_hook(m.output_nr, std::move(hook));
  else
    m.leaf_hooks.push_back(std::move(hook));
}

void Tensor::register_post_accumulate_grad_hook(std::function<void(const Tensor&)> hook) const {
  if (!requires_grad())
    throw Error("cannot register a hook on a tensor that doesn't require gradient");
  auto& m = impl_->ensure_autograd_meta();
  if (m.grad_fn) throw Error("post accumulate grad hooks cannot be registered on non-leaf tensors");
  m.post_accumulate_hooks.push_back(std::move(hook));
}

}  // namespace fastgrad

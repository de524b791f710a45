// SavedVariable: tensors kept by a Node for its backward formula.
#include <sstream>

#include "fastgrad/grad_mode.h"
#include "fastgrad/node.h"
#include "fastgrad/tensor_impl.h"

namespace fastgrad {

namespace {
constexpr const char* kFreedMessage =
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you "
    "call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
    "through the graph a second time or if you need to access saved tensors after calling "
    "backward.";

// A handle on the same TensorImpl data and version counter, without autograd metadata.
Tensor plain_alias(const Tensor& t) {
  auto impl = detail::make_pooled<TensorImpl>(t.impl()->storage(), t.dtype(), t.sizes(),
                                              t.strides(), t.storage_offset());
  return Tensor(std::move(impl));
}
}  // namespace

SavedVariable::SavedVariable(const Tensor& tensor, bool is_output) {
  if (!tensor.defined()) return;
  if (tensor.impl()->is_inference() && !tensor.impl()->is_wrapped_number())
    throw Error(
        "Inference tensors cannot be saved for backward. To work around you can make a clone to "
        "get a normal tensor and use it in autograd.");
  saved_version_ = tensor.version();
  requires_grad_ = tensor.requires_grad();
  is_leaf_ = tensor.is_leaf();
  if (is_output && !is_leaf_) {
    // Holding the output itself would keep its grad_fn (this node) alive: a cycle.
    is_output_ = true;
    data_ = plain_alias(tensor);
    weak_grad_fn_ = tensor.grad_fn();
    output_nr_ = tensor.output_nr();
  } else {
    data_ = tensor;
  }
}

Tensor SavedVariable::unpack(const std::shared_ptr<Node>& owner) const {
  if (released_) throw Error(kFreedMessage);
  if (!data_.defined()) return Tensor();
  if (data_.version() != saved_version_) {
    std::ostringstream os;
    os << "one of the variables needed for gradient computation has been modified by an "
          "inplace operation: ["
       << legacy_type_name(data_.dtype()) << " " << shape_str(data_.sizes()) << "]";
    std::shared_ptr<Node> fn = is_output_ ? weak_grad_fn_.lock() : data_.grad_fn();
    if (is_output_ && !fn) fn = owner;
    if (fn)
      os << ", which is output " << (is_output_ ? output_nr_ : data_.output_nr()) << " of "
         << fn->display_name() << ",";
    os << " is at version " << data_.version() << "; expected version " << saved_version_
       << " instead. Hint: enable anomaly detection to find the operation that failed to "
          "compute its gradient, with torch.autograd.set_detect_anomaly(True).";
    throw Error(os.str());
  }
  if (!is_output_ || !requires_grad_ || !GradMode::is_enabled()) return data_;
  // create_graph: re-attach the output to its node so the backward graph connects to it.
  std::shared_ptr<Node> fn = weak_grad_fn_.lock();
  if (!fn) fn = owner;
  Tensor t = plain_alias(data_);
  auto& meta = t.impl()->ensure_autograd_meta();
  meta.grad_fn = std::move(fn);
  meta.output_nr = output_nr_;
  return t;
}

}  // namespace fastgrad

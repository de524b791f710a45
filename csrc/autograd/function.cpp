// Custom ops (fastgrad/function.h): connecting a forward's outputs to its node, the context,
// and the checks on what a user-written backward returns. Python's autograd.Function uses
// connect_function_outputs too.
#include "fastgrad/function.h"

#include "fastgrad/tensor_impl.h"

namespace fastgrad::autograd {

TensorList connect_function_outputs(const std::shared_ptr<Node>& node, const TensorList& inputs,
                                    const TensorList& outputs) {
  collect_next_edges(*node, inputs);
  TensorList result;
  result.reserve(outputs.size());
  for (const Tensor& out : outputs) {
    Tensor o = out;
    bool is_input = false;
    for (const Tensor& in : inputs) is_input |= in.defined() && in.is_same(out);
    // An input returned as is, or a tensor with its own history, gets a fresh alias.
    if (o.defined() && (is_input || !out.is_leaf() || out.requires_grad())) o = out.detach();
    if (o.defined() && is_floating(o.dtype())) set_history(o, node);
    result.push_back(o);
  }
  return result;
}

TensorList AutogradContext::saved_tensors() const {
  if (!node_ || num_saved_ == 0) return to_save_;
  TensorList r;
  r.reserve(num_saved_);
  for (size_t i = 0; i < num_saved_; ++i) r.push_back(node_->saved(i));
  return r;
}

void AutogradContext::finish(Node* node, const TensorList& /*outputs*/) {
  node_ = node;
  for (const Tensor& t : to_save_) {
    node->save(t, t.defined() && t.grad_fn().get() == node);
  }
  num_saved_ = to_save_.size();
  to_save_.clear();
}

namespace detail {

void materialize_grads(const Node& node, TensorList& grads) {
  const auto& meta = node.input_metadata();
  for (size_t i = 0; i < grads.size() && i < meta.size(); ++i)
    if (!grads[i].defined()) grads[i] = zeros(meta[i].shape, meta[i].dtype);
}

void check_function_grads(const Node& node, TensorList& grads) {
  if (grads.size() != node.num_outputs())
    throw Error(fastgrad::detail::cat("function ", node.display_name(),
                                      " returned an incorrect number of gradients (expected ",
                                      node.num_outputs(), ", got ", grads.size(), ")"));
  for (size_t i = 0; i < grads.size(); ++i)
    if (!node.needs_input_grad(i)) grads[i] = Tensor();
}

}  // namespace detail
}  // namespace fastgrad::autograd

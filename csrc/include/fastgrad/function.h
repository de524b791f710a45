#pragma once
// Custom ops with a forward and a backward written in C++ (torch.autograd.Function for C++).
//
// forward runs with grad mode off; its Tensor arguments become the node's inputs, in order.
// backward gets one gradient per output (zeros where none flowed) and returns one gradient per
// Tensor argument of forward (undefined for an input that needs none).
//
//   struct Cube : fastgrad::autograd::Function<Cube> {
//     static const char* name() { return "CubeBackward"; }   // optional: the grad_fn's name
//     static Tensor forward(AutogradContext& ctx, const Tensor& x) {
//       ctx.save_for_backward({x});
//       return x * x * x;
//     }
//     static TensorList backward(AutogradContext& ctx, TensorList grads) {
//       Tensor x = ctx.saved_tensors()[0];
//       return {grads[0] * 3.0 * x * x};
//     }
//   };
//   Tensor y = Cube::apply(x);   // y.grad_fn()->name() == "CubeBackward"
//
// The Python layer's autograd.Function is built on the same call, connect_function_outputs.
#include <memory>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include "fastgrad/grad_mode.h"
#include "fastgrad/node.h"
#include "fastgrad/ops.h"

namespace fastgrad::autograd {

// Makes `node` the grad_fn of the outputs of a forward that ran without recording, with one
// next edge per entry of `inputs` (undefined entries get none). An output that is one of the
// inputs, or that already has history, is replaced by a fresh alias (detach) first; only
// floating outputs get history. Returns the outputs to hand to the caller.
FASTGRAD_API TensorList connect_function_outputs(const std::shared_ptr<Node>& node,
                                                 const TensorList& inputs,
                                                 const TensorList& outputs);

// What forward leaves for backward: saved tensors (checked against in-place modification like
// every saved tensor) and plain numbers.
class FASTGRAD_API AutogradContext {
 public:
  void save_for_backward(TensorList tensors) { to_save_ = std::move(tensors); }
  // The tensors given to save_for_backward; throws once the graph was freed by backward.
  TensorList saved_tensors() const;
  // Whether backward must produce a gradient for Tensor input i.
  bool needs_input_grad(size_t i) const { return node_ && node_->needs_input_grad(i); }
  std::unordered_map<std::string, double> saved_data;

 private:
  template <class T>
  friend class CppNode;
  template <class T>
  friend struct Function;
  void finish(Node* node, const TensorList& outputs);  // turns to_save_ into SavedVariables
  Node* node_ = nullptr;
  TensorList to_save_;
  size_t num_saved_ = 0;
};

namespace detail {
template <class T, class = void>
struct has_name : std::false_type {};
template <class T>
struct has_name<T, std::void_t<decltype(T::name())>> : std::true_type {};

inline void collect_tensor_args(TensorList& out, const Tensor& t) { out.push_back(t); }
inline void collect_tensor_args(TensorList& out, const TensorList& ts) {
  out.insert(out.end(), ts.begin(), ts.end());
}
template <class A>
void collect_tensor_args(TensorList&, const A&) {}  // numbers and other non-tensor arguments

// Replaces gradients that did not flow with zeros, and checks the count backward returned.
FASTGRAD_API void materialize_grads(const Node& node, TensorList& grads);
FASTGRAD_API void check_function_grads(const Node& node, TensorList& grads);
}  // namespace detail

// The Node behind a Function<T>: its backward is T::backward.
template <class T>
class CppNode final : public Node {
 public:
  std::string name() const override {
    if constexpr (detail::has_name<T>::value)
      return T::name();
    else
      return "CppNode";
  }
  TensorList apply(TensorList&& grads) override {
    detail::materialize_grads(*this, grads);
    TensorList result = T::backward(ctx_, std::move(grads));
    detail::check_function_grads(*this, result);
    return result;
  }
  AutogradContext ctx_;
};

template <class T>
struct Function {
  template <class... Args>
  static auto apply(Args&&... args) {
    auto node = make_node<CppNode<T>>();
    node->ctx_.node_ = node.get();
    TensorList inputs;
    (detail::collect_tensor_args(inputs, args), ...);
    bool record = GradMode::is_enabled();
    if (record) {
      record = false;
      for (const Tensor& t : inputs) record |= t.defined() && t.requires_grad();
    }
    using Out = decltype(T::forward(node->ctx_, std::forward<Args>(args)...));
    static_assert(std::is_same_v<Out, Tensor> || std::is_same_v<Out, TensorList>,
                  "forward must return a Tensor or a TensorList");
    TensorList outputs;
    {
      AutoGradMode no_grad(false);
      if constexpr (std::is_same_v<Out, Tensor>)
        outputs = {T::forward(node->ctx_, std::forward<Args>(args)...)};
      else
        outputs = T::forward(node->ctx_, std::forward<Args>(args)...);
    }
    if (record) {
      outputs = connect_function_outputs(node, inputs, outputs);
      node->ctx_.finish(node.get(), outputs);
    }
    if constexpr (std::is_same_v<Out, Tensor>)
      return outputs[0];
    else
      return outputs;
  }
};

}  // namespace fastgrad::autograd

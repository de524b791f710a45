#pragma once
// The autograd graph.
//
// Every differentiable op that runs with grad mode on and an input that requires grad creates a
// Node (named after PyTorch's: MulBackward0, SumBackward0, ...) and makes it the grad_fn of its
// output. A Node's next_edges point at the Nodes that produced its inputs: Edge{node, input_nr}
// says "my i-th input gradient goes to input slot input_nr of node". Leaves that require grad
// are reached through an AccumulateGrad node that adds into `.grad`.
//
// backward() (engine.cpp) walks this graph from the output without recursion: it counts, for each
// reachable Node, how many edges lead into it, sums incoming gradients per input slot, and runs a
// Node once all of them have arrived. Nodes keep what their backward formula needs in `saved_`
// (SavedVariable), released after backward unless retain_graph. Backward formulas are written
// with fastgrad ops, so running them with grad mode on (create_graph) records a graph of the
// backward pass and gives higher-order derivatives.
//
//   struct SquareBackward : Node {                       // y = x * x
//     const char* name() const override { return "SquareBackward"; }
//     TensorList apply(TensorList&& grads) override {
//       return {grads[0] * saved_[0].unpack() * 2.0};
//     }
//   };
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fastgrad/pool.h"
#include "fastgrad/tensor.h"

namespace fastgrad {

class Node;

struct Edge {
  std::shared_ptr<Node> function;
  uint32_t input_nr = 0;
  bool is_valid() const { return static_cast<bool>(function); }
};

// Shape and dtype of one forward output; the engine reduces a broadcast gradient to this shape
// and casts it to this dtype before it reaches the Node.
struct InputMetadata {
  ScalarType dtype;
  Shape shape;
};

// A tensor kept for backward. Outputs of the node itself are stored without their grad_fn
// (that would be a reference cycle) and re-attached on unpack.
using EdgeList = std::vector<Edge, detail::PoolAllocator<Edge>>;
using InputMetadataList = std::vector<InputMetadata, detail::PoolAllocator<InputMetadata>>;
using NodeStack = std::vector<std::shared_ptr<Node>, detail::PoolAllocator<std::shared_ptr<Node>>>;

class FASTGRAD_API SavedVariable {
 public:
  SavedVariable() = default;
  SavedVariable(const Tensor& tensor, bool is_output);
  // `owner` is the node unpacking it (needed to re-attach an output's grad_fn).
  Tensor unpack(const std::shared_ptr<Node>& owner = nullptr) const;
  void reset() {
    data_ = Tensor();
    released_ = true;
  }
  bool defined() const { return data_.defined() || released_; }

 private:
  friend class Node;
  Tensor data_;
  std::weak_ptr<Node> weak_grad_fn_;  // outputs only
  uint32_t saved_version_ = 0;
  uint32_t output_nr_ = 0;
  bool is_output_ = false;
  bool is_leaf_ = false;
  bool requires_grad_ = false;
  bool released_ = false;
};

using TensorHook = std::function<Tensor(const Tensor&)>;

class FASTGRAD_API Node : public std::enable_shared_from_this<Node> {
 public:
  Node();
  virtual ~Node() = default;
  Node(const Node&) = delete;
  // Nodes come and go with every op: from the small-block pool (fastgrad/pool.h). The sized
  // delete gets the most derived class's size through the virtual destructor.
  static void* operator new(std::size_t bytes) { return detail::pool_allocate(bytes); }
  static void operator delete(void* p, std::size_t bytes) { detail::pool_free(p, bytes); }
  Node& operator=(const Node&) = delete;

  virtual std::string name() const = 0;
  // The name shown to users: name(), unless a composite op renamed its final node after itself
  // (var is computed with sub/mul/sum/div but reports VarBackward0, as in PyTorch).
  std::string display_name() const { return display_name_.empty() ? name() : display_name_; }
  void set_display_name(std::string n) { display_name_ = std::move(n); }
  // grads[i] is the gradient of forward output i (undefined where none flowed); returns one
  // gradient per next edge (undefined where the input needs none).
  virtual TensorList apply(TensorList&& grads) = 0;
  // Frees saved tensors after backward (unless retain_graph).
  virtual void release_variables();

  const EdgeList& next_edges() const { return next_edges_; }
  EdgeList& mutable_next_edges() { return next_edges_; }
  uint32_t num_outputs() const { return static_cast<uint32_t>(next_edges_.size()); }
  bool needs_input_grad(size_t i) const {
    return i < next_edges_.size() && next_edges_[i].is_valid();
  }
  uint64_t sequence_nr() const { return sequence_nr_; }

  // One entry per forward output: returns its output_nr.
  uint32_t add_input_metadata(const Tensor& output);
  const InputMetadataList& input_metadata() const { return input_metadata_; }
  InputMetadataList& mutable_input_metadata() { return input_metadata_; }

  void save(const Tensor& t, bool is_output = false) { saved_.emplace_back(t, is_output); }
  Tensor saved(size_t i) { return saved_[i].unpack(shared_from_this()); }

  // Hooks on the gradient of forward output `output_nr`, run before apply (Tensor.register_hook).
  void add_pre_hook(uint32_t output_nr, TensorHook hook);
  const std::vector<std::pair<uint32_t, TensorHook>>& pre_hooks() const { return pre_hooks_; }
  // Stores the gradient of output `output_nr` into `tensor.grad` (Tensor.retain_grad).
  void add_retain_grad(uint32_t output_nr, std::weak_ptr<TensorImpl> tensor);
  // Applies pre-hooks and retain_grad to the incoming gradients (the engine calls it).
  void run_pre_hooks(TensorList& grads);
  bool has_pre_hooks() const { return !pre_hooks_.empty() || !retain_grads_.empty(); }

  // The tensors saved for backward as they were saved (undefined once released); for display.
  TensorList saved_data() const;
  // Where the forward op that made this node was called, recorded in anomaly mode (debug.h).
  const std::string& anomaly_trace() const { return anomaly_trace_; }

  // Moves the nodes this one keeps alive into `out`, so destruction can run without recursion.
  void steal_edges(NodeStack& out);

 protected:
  // Pooled: every recorded op fills these (fastgrad/pool.h).
  EdgeList next_edges_;
  InputMetadataList input_metadata_;
  std::vector<SavedVariable, detail::PoolAllocator<SavedVariable>> saved_;
  uint64_t sequence_nr_;
  std::vector<std::pair<uint32_t, TensorHook>> pre_hooks_;
  std::vector<std::pair<uint32_t, std::weak_ptr<TensorImpl>>> retain_grads_;
  std::string display_name_;
  std::string anomaly_trace_;
};

// Deleter used for every Node: destroys a whole chain iteratively (no stack overflow on
// million-node graphs).
FASTGRAD_API void delete_node(Node* node);

template <typename T, typename... Args>
std::shared_ptr<T> make_node(Args&&... args) {
  return std::shared_ptr<T>(
      new T(std::forward<Args>(args)...), [](T* p) { delete_node(p); }, detail::PoolAllocator<T>());
}

namespace autograd {

// Edge along which the gradient of `t` flows: its grad_fn, or its leaf's AccumulateGrad.
FASTGRAD_API Edge gradient_edge(const Tensor& t);
// True if grad mode is on and any input requires grad.
FASTGRAD_API bool compute_requires_grad(std::initializer_list<const Tensor*> inputs);
// Points node's next edges at the inputs (invalid edges for inputs that need no grad).
FASTGRAD_API void collect_next_edges(Node& node, std::initializer_list<const Tensor*> inputs);
FASTGRAD_API void collect_next_edges(Node& node, const TensorList& inputs);
// Makes `node` the grad_fn of `output` (records its metadata).
FASTGRAD_API void set_history(const Tensor& output, const std::shared_ptr<Node>& node);

// The AccumulateGrad sink of a leaf that requires grad (created on first use).
FASTGRAD_API std::shared_ptr<Node> grad_accumulator(const Tensor& leaf);

}  // namespace autograd
}  // namespace fastgrad

// The backward engine. Iterative: dependency counting plus a ready queue ordered by sequence
// number (most recent node first, like PyTorch), so graphs of any depth run without recursion.
#include <functional>
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "fastgrad/accumulate_grad.h"
#include "fastgrad/autograd.h"
#include "fastgrad/debug.h"
#include "fastgrad/ops.h"
#include "fastgrad/tensor_impl.h"

namespace fastgrad::autograd {

namespace {

struct NodeOrder {
  bool operator()(Node* a, Node* b) const { return a->sequence_nr() < b->sequence_nr(); }
};

// Per-node state of one backward call, in one map so a node costs one allocation.
struct NodeState {
  int dependencies = 0;  // edges from reachable nodes not yet processed
  TensorList buffer;     // summed incoming gradients per input slot
  bool visited = false;
  bool queued = false;
};

// The engine's containers allocate from the small-block pool (fastgrad/pool.h): a backward
// call on a small graph otherwise spent a fifth of its time in malloc and free.
template <typename T>
using PooledVector = std::vector<T, detail::PoolAllocator<T>>;
// Room the engine's stacks and queue start with: one pooled block instead of a reallocation
// at each doubling on small graphs.
constexpr size_t kInitialCapacity = 16;

// The NodeState of each node of one call. Most backward calls reach a handful of nodes: those
// are found by a linear scan of one vector (a hash map cost ~50 instructions a lookup plus an
// allocation per node, 4% of a 0-d round trip); past kLinearNodes they all move to a hash map.
// A returned reference lives until the next insertion.
class NodeStates {
 public:
  NodeStates() { small_.reserve(kLinearNodes); }
  NodeState& operator[](Node* n) {
    if (!large_.empty()) return large_[n];
    for (auto& e : small_)
      if (e.first == n) return e.second;
    if (small_.size() < kLinearNodes) return small_.emplace_back(n, NodeState{}).second;
    large_.reserve(4 * kLinearNodes);
    for (auto& e : small_) large_.emplace(e.first, std::move(e.second));
    small_.clear();
    return large_[n];
  }
  size_t size() const { return large_.empty() ? small_.size() : large_.size(); }

 private:
  static constexpr size_t kLinearNodes = 8;
  PooledVector<std::pair<Node*, NodeState>> small_;
  std::unordered_map<Node*, NodeState, std::hash<Node*>, std::equal_to<Node*>,
                     detail::PoolAllocator<std::pair<Node* const, NodeState>>>
      large_;
};

// Everything one backward call tracks.
struct GraphTask {
  bool keep_graph = false;
  bool create_graph = false;
  NodeStates nodes;
  // autograd::grad: gradients to capture at (node, slot), and which nodes must run.
  bool capture_mode = false;
  std::unordered_map<Node*, std::vector<std::pair<uint32_t, size_t>>> captures;
  std::unordered_set<Node*> needed;
  TensorList captured;
  // Keeps every reachable node alive while it is pending.
  PooledVector<std::shared_ptr<Node>> keep_alive;
  // The caller's notice before the first step that may take long (autograd.h); called once.
  const std::function<void()>* before_long_work = nullptr;

  void long_work_if(bool is_long) {
    if (!is_long || !before_long_work) return;
    const std::function<void()>* notice = before_long_work;
    before_long_work = nullptr;
    if (*notice) (*notice)();
  }
  // Whether running `node` on `inputs` may take long: large incoming or outgoing gradients.
  bool is_long(const Node& node, const TensorList& inputs) const {
    if (!before_long_work) return false;
    for (const Tensor& g : inputs)
      if (g.defined() && g.numel() >= kQuickGradNumel) return true;
    for (const Edge& e : node.next_edges())
      if (e.is_valid() &&
          shape_numel(e.function->input_metadata()[e.input_nr].shape) >= kQuickGradNumel)
        return true;
    return false;
  }

  // Gradient lists of nodes that have run, reused for the next nodes' buffers: a graph
  // allocates about one list per path instead of one per node.
  PooledVector<TensorList> spare_lists;

  TensorList& buffer_of(Node* n) {
    TensorList& b = nodes[n].buffer;
    if (b.empty()) {
      if (!spare_lists.empty()) {
        b = std::move(spare_lists.back());
        spare_lists.pop_back();
      }
      b.resize(n->input_metadata().size());
    }
    return b;
  }
  void recycle(TensorList& list) {
    if (list.capacity() == 0 || spare_lists.size() >= kSpareLists) return;
    list.clear();
    spare_lists.push_back(std::move(list));
  }
  static constexpr size_t kSpareLists = 8;
};

std::string sizes_for_message(const Shape& s) {
  std::string r = "torch.Size([";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "])";
}

void accumulate(GraphTask& task, TensorList& buffer, uint32_t slot, Tensor grad) {
  Tensor& cur = buffer[slot];
  if (!cur.defined()) {
    cur = std::move(grad);
    return;
  }
  task.long_work_if(grad.numel() >= kQuickGradNumel);
  cur = add(cur, grad);
}

// Reduces a broadcast gradient to the shape recorded for the input and casts its dtype.
Tensor validate_output(const Node& producer, size_t index, Tensor grad, const InputMetadata& meta) {
  if (grad.sizes() != meta.shape) {
    if (!is_expandable_to(meta.shape, grad.sizes()))
      throw Error(detail::cat("Function ", producer.display_name(),
                              " returned an invalid gradient at index ", index, " - got ",
                              shape_str(grad.sizes()), " but expected shape compatible with ",
                              shape_str(meta.shape)));
    grad = sum_to(grad, meta.shape);
  }
  if (grad.dtype() != meta.dtype) grad = to_dtype(grad, meta.dtype);
  return grad;
}

// Counts, for every node reachable from the roots, the edges that lead into it.
void compute_dependencies(GraphTask& task, const PooledVector<Node*>& roots) {
  PooledVector<Node*> stack;
  stack.reserve(kInitialCapacity);
  for (Node* r : roots) {
    NodeState& st = task.nodes[r];
    if (!st.visited) {
      st.visited = true;
      stack.push_back(r);
    }
  }
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    for (const Edge& e : n->next_edges()) {
      if (!e.is_valid()) continue;
      Node* next = e.function.get();
      NodeState& st = task.nodes[next];
      ++st.dependencies;
      if (!st.visited) {
        st.visited = true;
        task.keep_alive.push_back(e.function);
        stack.push_back(next);
      }
    }
  }
}

// For autograd::grad: a node must run iff some path from it reaches a captured (node, slot).
void compute_needed(GraphTask& task, const PooledVector<Node*>& roots) {
  // Post-order DFS with an explicit stack: (node, next edge index to visit).
  std::unordered_set<Node*> visited;
  std::vector<std::pair<Node*, size_t>> stack;
  for (Node* r : roots) {
    if (!visited.insert(r).second) continue;
    stack.emplace_back(r, 0);
    while (!stack.empty()) {
      auto& [n, i] = stack.back();
      const auto& edges = n->next_edges();
      if (i < edges.size()) {
        Node* next = edges[i++].function.get();
        if (next && visited.insert(next).second) stack.emplace_back(next, 0);
        continue;
      }
      for (const Edge& e : edges) {
        Node* next = e.function.get();
        if (next && (task.needed.count(next) || task.captures.count(next))) {
          task.needed.insert(n);
          break;
        }
      }
      stack.pop_back();
    }
  }
}

void execute(GraphTask& task, const Tensor* roots, const Tensor* root_grads, size_t num_roots) {
  PooledVector<Node*> root_nodes;
  root_nodes.reserve(num_roots);
  task.keep_alive.reserve(kInitialCapacity);
  task.spare_lists.reserve(GraphTask::kSpareLists);
  for (size_t i = 0; i < num_roots; ++i) {
    Edge e = gradient_edge(roots[i]);
    Node* n = e.function.get();
    task.keep_alive.push_back(e.function);
    accumulate(task, task.buffer_of(n), e.input_nr, root_grads[i]);
    root_nodes.push_back(n);
  }
  compute_dependencies(task, root_nodes);
  task.long_work_if(task.nodes.size() > kQuickGraphNodes);
  if (task.capture_mode) compute_needed(task, root_nodes);

  PooledVector<Node*> ready_storage;
  ready_storage.reserve(kInitialCapacity);
  std::priority_queue<Node*, PooledVector<Node*>, NodeOrder> ready(NodeOrder(),
                                                                   std::move(ready_storage));
  for (Node* n : root_nodes) {
    NodeState& st = task.nodes[n];
    if (st.dependencies == 0 && !st.queued) {
      st.queued = true;
      ready.push(n);
    }
  }

  AutoGradMode grad_mode(task.create_graph);
  while (!ready.empty()) {
    Node* node = ready.top();
    ready.pop();
    TensorList inputs = std::move(task.nodes[node].buffer);
    inputs.resize(node->input_metadata().size());
    if (node->has_pre_hooks()) node->run_pre_hooks(inputs);

    if (task.capture_mode) {
      auto it = task.captures.find(node);
      if (it != task.captures.end())
        for (auto [slot, index] : it->second) {
          Tensor g = inputs[slot];
          if (g.defined())
            task.captured[index] =
                task.captured[index].defined() ? add(task.captured[index], g) : g;
        }
      if (!task.needed.count(node)) {
        task.recycle(inputs);
        continue;
      }
    }

    bool any_defined = false;
    for (const Tensor& g : inputs) any_defined |= g.defined();
    TensorList outputs;
    if (any_defined) {
      // Outputs that received no gradient count as zeros for multi-output nodes.
      for (size_t i = 0; i < inputs.size(); ++i)
        if (!inputs[i].defined()) {
          const auto& m = node->input_metadata()[i];
          inputs[i] = zeros(m.shape, m.dtype);
        }
      task.long_work_if(task.is_long(*node, inputs));
      outputs = detail::apply_node(*node, std::move(inputs));  // plain apply unless debugging
      if (!task.keep_graph) node->release_variables();
    }
    task.recycle(inputs);  // apply takes it by reference: usually still holds its buffer

    const auto& edges = node->next_edges();
    if (any_defined && outputs.size() != edges.size() && !dynamic_cast<AccumulateGrad*>(node))
      throw Error(detail::cat("function ", node->display_name(),
                              " returned an incorrect number of gradients (expected ", edges.size(),
                              ", got ", outputs.size(), ")"));
    for (size_t i = 0; i < edges.size(); ++i) {
      const Edge& e = edges[i];
      if (!e.is_valid()) continue;
      Node* next = e.function.get();
      if (any_defined && i < outputs.size() && outputs[i].defined()) {
        Tensor g =
            validate_output(*node, i, std::move(outputs[i]), next->input_metadata()[e.input_nr]);
        accumulate(task, task.buffer_of(next), e.input_nr, std::move(g));
      }
      NodeState& st = task.nodes[next];
      if (--st.dependencies == 0 && !st.queued) {
        st.queued = true;
        ready.push(next);
      }
    }
    task.recycle(outputs);
  }
}

// The gradient that starts backward at root i: `gradient`, or ones for a one-element root.
Tensor make_root_grad(size_t i, const Tensor& root, const Tensor& gradient) {
  if (!root.requires_grad())
    throw Error(detail::cat("element ", i,
                            " of tensors does not require grad and does not have a grad_fn"));
  if (!gradient.defined()) {
    if (root.numel() != 1) throw Error("grad can be implicitly created only for scalar outputs");
    return ones_like(root);
  }
  if (gradient.sizes() != root.sizes())
    throw Error(detail::cat("Mismatch in shape: grad_output[", i, "] has a shape of ",
                            sizes_for_message(gradient.sizes()), " and output[", i,
                            "] has a shape of ", sizes_for_message(root.sizes()), "."));
  if (gradient.dtype() != root.dtype()) return to_dtype(gradient, root.dtype());
  return gradient;
}

TensorList make_root_grads(const TensorList& tensors, const TensorList& grad_tensors) {
  if (!grad_tensors.empty() && grad_tensors.size() != tensors.size())
    throw Error(
        detail::cat("got ", grad_tensors.size(), " gradients for ", tensors.size(), " tensors"));
  TensorList grads(tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i)
    grads[i] = make_root_grad(i, tensors[i], i < grad_tensors.size() ? grad_tensors[i] : Tensor());
  return grads;
}

}  // namespace

void backward(const TensorList& tensors, const TensorList& grad_tensors,
              std::optional<bool> retain_graph, bool create_graph, const TensorList& inputs,
              const std::function<void()>& before_long_work) {
  if (!inputs.empty()) {
    // backward(inputs=...): gradients only for these, accumulated into their .grad.
    TensorList grads =
        grad(tensors, inputs, grad_tensors, retain_graph, create_graph, true, before_long_work);
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (!grads[i].defined()) continue;
      Tensor cur = inputs[i].grad();
      inputs[i].set_grad(cur.defined() ? add(cur, grads[i]) : grads[i]);
    }
    return;
  }
  GraphTask task;
  task.create_graph = create_graph;
  task.keep_graph = retain_graph.value_or(create_graph);
  task.before_long_work = &before_long_work;
  for (const Tensor& t : tensors) task.long_work_if(t.numel() >= kQuickGradNumel);
  TensorList root_grads = make_root_grads(tensors, grad_tensors);  // may cast a large gradient
  execute(task, tensors.data(), root_grads.data(), tensors.size());
}

void backward(const Tensor& root, const Tensor& gradient, std::optional<bool> retain_graph,
              bool create_graph, const std::function<void()>& before_long_work) {
  GraphTask task;
  task.create_graph = create_graph;
  task.keep_graph = retain_graph.value_or(create_graph);
  task.before_long_work = &before_long_work;
  task.long_work_if(root.numel() >= kQuickGradNumel);
  const Tensor root_grad = make_root_grad(0, root, gradient);  // may cast a large gradient
  execute(task, &root, &root_grad, 1);
}

TensorList grad(const TensorList& outputs, const TensorList& inputs, const TensorList& grad_outputs,
                std::optional<bool> retain_graph, bool create_graph, bool allow_unused,
                const std::function<void()>& before_long_work) {
  GraphTask task;
  task.before_long_work = &before_long_work;
  task.create_graph = create_graph;
  task.keep_graph = retain_graph.value_or(create_graph);
  task.capture_mode = true;
  task.captured.resize(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& in = inputs[i];
    if (!in.requires_grad())
      throw Error(detail::cat("One of the differentiated Tensors does not require grad"));
    auto* meta = in.impl()->autograd_meta();
    Edge e;
    if (meta->grad_fn)
      e = Edge{meta->grad_fn, meta->output_nr};
    else
      e = Edge{grad_accumulator(in), 0};  // kept alive below; unused if nothing reaches it
    if (e.is_valid()) {
      task.captures[e.function.get()].emplace_back(e.input_nr, i);
      task.keep_alive.push_back(e.function);
    }
  }
  for (const Tensor& t : outputs) task.long_work_if(t.numel() >= kQuickGradNumel);
  TensorList root_grads = make_root_grads(outputs, grad_outputs);  // may cast a large gradient
  execute(task, outputs.data(), root_grads.data(), outputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!task.captured[i].defined() && !allow_unused)
      throw Error(detail::cat("The differentiated Tensor at index ", i,
                              " appears to not have been used in the graph. Set allow_unused=True "
                              "if this is the desired behavior."));
    // Without create_graph the result has no history, as in PyTorch.
    if (task.captured[i].defined() && !create_graph) task.captured[i] = task.captured[i].detach();
  }
  return task.captured;
}

}  // namespace fastgrad::autograd

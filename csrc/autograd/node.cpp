// Node bookkeeping, graph construction helpers, AccumulateGrad, and iterative node deletion.
#include "fastgrad/node.h"

#include <atomic>

#include "fastgrad/accumulate_grad.h"
#include "fastgrad/debug.h"
#include "fastgrad/grad_mode.h"
#include "fastgrad/ops.h"
#include "fastgrad/tensor_impl.h"

namespace fastgrad {

namespace {
std::atomic<uint64_t> next_sequence_nr{0};
}

Node::Node()
    : sequence_nr_(next_sequence_nr.fetch_add(1, std::memory_order_relaxed)),
      anomaly_trace_(detail::anomaly_trace()) {}

TensorList Node::saved_data() const {
  TensorList r;
  for (const auto& s : saved_) r.push_back(s.data_);
  return r;
}

void Node::release_variables() {
  for (auto& s : saved_) s.reset();
}

uint32_t Node::add_input_metadata(const Tensor& output) {
  input_metadata_.push_back(InputMetadata{output.dtype(), output.sizes()});
  return static_cast<uint32_t>(input_metadata_.size() - 1);
}

void Node::add_pre_hook(uint32_t output_nr, TensorHook hook) {
  pre_hooks_.emplace_back(output_nr, std::move(hook));
}

void Node::add_retain_grad(uint32_t output_nr, std::weak_ptr<TensorImpl> tensor) {
  for (auto& r : retain_grads_)
    if (r.first == output_nr && r.second.lock() == tensor.lock()) return;
  retain_grads_.emplace_back(output_nr, std::move(tensor));
}

void Node::run_pre_hooks(TensorList& grads) {
  for (auto& [nr, hook] : pre_hooks_) {
    if (nr >= grads.size() || !grads[nr].defined()) continue;
    Tensor r = hook(grads[nr]);
    if (r.defined()) grads[nr] = r;
  }
  for (auto& [nr, weak] : retain_grads_) {
    auto impl = weak.lock();
    if (!impl || nr >= grads.size() || !grads[nr].defined()) continue;
    auto& meta = impl->ensure_autograd_meta();
    // First gradient: a copy (the buffer may be reused downstream); later ones add up.
    if (!meta.grad.defined())
      meta.grad = GradMode::is_enabled() ? clone(grads[nr]) : clone(grads[nr]).detach();
    else
      meta.grad = add(meta.grad, grads[nr]);
  }
}

void Node::steal_edges(NodeStack& out) {
  for (auto& e : next_edges_)
    if (e.function) out.push_back(std::move(e.function));
  for (auto& s : saved_) {
    // A saved input we alone hold would drop its grad_fn (and its chain) when we are freed.
    if (s.data_.defined() && s.data_.impl_ptr().use_count() == 1) {
      if (auto* meta = s.data_.impl()->autograd_meta(); meta && meta->grad_fn)
        out.push_back(std::move(meta->grad_fn));
    }
  }
}

void delete_node(Node* node) {
  // Instead of letting each shared_ptr destructor recurse into the next node, pull the
  // children out first and free them from an explicit stack.
  NodeStack stack;
  node->steal_edges(stack);
  delete node;
  while (!stack.empty()) {
    std::shared_ptr<Node> n = std::move(stack.back());
    stack.pop_back();
    if (n.use_count() == 1) n->steal_edges(stack);
  }
}

namespace autograd {

AccumulateGrad::AccumulateGrad(Tensor variable) : variable_(std::move(variable)) {
  add_input_metadata(variable_);
}

TensorList AccumulateGrad::apply(TensorList&& grads) {
  Tensor g = std::move(grads[0]);
  if (!g.defined()) return {};
  auto& meta = variable_.impl()->ensure_autograd_meta();
  for (auto& hook : meta.leaf_hooks) {
    Tensor r = hook(g);
    if (r.defined()) g = r;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!meta.grad.defined()) {
      // Take the buffer when nobody else can see it; otherwise copy, so that .grad never
      // aliases another tensor (AddBackward hands the same gradient to both inputs).
      bool unique = g.impl_ptr().use_count() == 1 && g.impl()->storage().use_count() == 1 &&
                    g.is_contiguous() && !g.requires_grad();
      meta.grad = unique ? g : clone(g);
    } else if (!GradMode::is_enabled()) {
      meta.grad.add_(g);
    } else {
      meta.grad = add(meta.grad, g);
    }
  }
  if (!meta.post_accumulate_hooks.empty()) {
    auto hooks = meta.post_accumulate_hooks;  // a hook may register another
    for (auto& hook : hooks) hook(variable_);
  }
  return {};
}

Edge gradient_edge(const Tensor& t) {
  auto* meta = t.impl()->autograd_meta();
  if (!meta) return Edge{};
  if (meta->grad_fn) return Edge{meta->grad_fn, meta->output_nr};
  if (meta->requires_grad) return Edge{grad_accumulator(t), 0};
  return Edge{};
}

std::shared_ptr<Node> grad_accumulator(const Tensor& leaf) {
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  auto& meta = leaf.impl()->ensure_autograd_meta();
  if (auto acc = meta.grad_accumulator.lock()) return acc;
  // The accumulator holds the leaf; the leaf holds the accumulator only weakly.
  auto acc = make_node<AccumulateGrad>(Tensor(leaf.impl_ptr()));
  meta.grad_accumulator = acc;
  return acc;
}

bool compute_requires_grad(std::initializer_list<const Tensor*> inputs) {
  if (!GradMode::is_enabled()) return false;
  for (const Tensor* t : inputs)
    if (t->defined() && t->requires_grad()) return true;
  return false;
}

void collect_next_edges(Node& node, std::initializer_list<const Tensor*> inputs) {
  auto& edges = node.mutable_next_edges();
  edges.reserve(inputs.size());
  for (const Tensor* t : inputs) edges.push_back(t->defined() ? gradient_edge(*t) : Edge{});
}

void collect_next_edges(Node& node, const TensorList& inputs) {
  auto& edges = node.mutable_next_edges();
  edges.reserve(inputs.size());
  for (const Tensor& t : inputs) edges.push_back(t.defined() ? gradient_edge(t) : Edge{});
}

void set_history(const Tensor& output, const std::shared_ptr<Node>& node) {
  auto& meta = output.impl()->ensure_autograd_meta();
  meta.output_nr = node->add_input_metadata(output);
  meta.grad_fn = node;
}

}  // namespace autograd
}  // namespace fastgrad

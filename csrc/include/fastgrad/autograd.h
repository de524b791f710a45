#pragma once
// Running backward: Tensor::backward and autograd::grad, both on the engine in engine.cpp.
#include <functional>
#include <optional>
#include <vector>

#include "fastgrad/grad_mode.h"
#include "fastgrad/node.h"
#include "fastgrad/tensor.h"

namespace fastgrad::autograd {

// `before_long_work`, if set, is called at most once per call, before the first step that may
// take long: once the graph is known to have more than kQuickGraphNodes nodes, or before a root,
// a node or a gradient sum handles a gradient of at least kQuickGradNumel elements. Graphs below
// both never call it. The Python bindings release the GIL there, so that a small backward (a few
// scalar nodes, about a microsecond) keeps it instead of paying a third of that to drop and
// retake it, while a long one still lets other Python threads run.
constexpr size_t kQuickGraphNodes = 16;
constexpr int64_t kQuickGradNumel = 1 << 16;

// Accumulates d(sum of tensors * grad_tensors)/d(leaf) into every reachable leaf's .grad.
// An undefined grad_tensors[i] means "ones", allowed only for one-element outputs.
FASTGRAD_API void backward(const TensorList& tensors, const TensorList& grad_tensors = {},
                           std::optional<bool> retain_graph = std::nullopt,
                           bool create_graph = false, const TensorList& inputs = {},
                           const std::function<void()>& before_long_work = {});
// The same for one root (Tensor::backward), without building lists.
FASTGRAD_API void backward(const Tensor& root, const Tensor& gradient,
                           std::optional<bool> retain_graph, bool create_graph,
                           const std::function<void()>& before_long_work = {});

// Returns d(outputs)/d(inputs) without touching .grad. With allow_unused, an input the outputs
// do not depend on gives an undefined Tensor; otherwise that is an error.
FASTGRAD_API TensorList grad(const TensorList& outputs, const TensorList& inputs,
                             const TensorList& grad_outputs = {},
                             std::optional<bool> retain_graph = std::nullopt,
                             bool create_graph = false, bool allow_unused = false,
                             const std::function<void()>& before_long_work = {});

}  // namespace fastgrad::autograd

#pragma once
// Running backward: Tensor::backward and autograd::grad, both on the engine in engine.cpp.
#include <optional>
#include <vector>

#include "fastgrad/grad_mode.h"
#include "fastgrad/node.h"
#include "fastgrad/tensor.h"

namespace fastgrad::autograd {

// Accumulates d(sum of tensors * grad_tensors)/d(leaf) into every reachable leaf's .grad.
// An undefined grad_tensors[i] means "ones", allowed only for one-element outputs.
FASTGRAD_API void backward(const TensorList& tensors, const TensorList& grad_tensors = {},
                           std::optional<bool> retain_graph = std::nullopt,
                           bool create_graph = false, const TensorList& inputs = {});

// Returns d(outputs)/d(inputs) without touching .grad. With allow_unused, an input the outputs
// do not depend on gives an undefined Tensor; otherwise that is an error.
FASTGRAD_API TensorList grad(const TensorList& outputs, const TensorList& inputs,
                             const TensorList& grad_outputs = {},
                             std::optional<bool> retain_graph = std::nullopt,
                             bool create_graph = false, bool allow_unused = false);

}  // namespace fastgrad::autograd

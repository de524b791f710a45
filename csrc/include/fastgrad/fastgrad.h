#pragma once
// fastgrad: tensors with reverse-mode automatic differentiation, on the CPU.
//
// Include this one header. A Tensor (tensor.h) is a handle on shared data; every operation is a
// free function (ops.h), most also a method or an operator. With grad mode on, an op whose input
// requires grad records a Node (node.h) as its output's grad_fn; backward() runs those Nodes from
// the output back to the leaves, adding into their grad(). NoGradGuard (grad_mode.h) turns the
// recording off for a scope; autograd::grad (autograd.h) returns gradients instead of
// accumulating them; function.h defines new ops with a C++ forward and backward. Errors are the
// exceptions in errors.h, with the messages PyTorch gives.
//
//   #include <fastgrad/fastgrad.h>
//   using namespace fastgrad;
//   Tensor x = tensor({0.5f, 2.0f, 4.0f}), y = tensor({0.0f, 1.0f, 1.0f});
//   Tensor w = zeros({}).requires_grad_(), b = zeros({}).requires_grad_();
//   for (int step = 0; step < 100; ++step) {
//     Tensor loss = binary_cross_entropy(sigmoid(w * x + b), y);
//     loss.backward();
//     NoGradGuard no_grad;
//     w -= w.grad() * 0.5, b -= b.grad() * 0.5;
//     w.grad().zero_(), b.grad().zero_();
//   }
#include "fastgrad/accumulate_grad.h"
#include "fastgrad/autograd.h"
#include "fastgrad/config.h"
#include "fastgrad/debug.h"
#include "fastgrad/dtype.h"
#include "fastgrad/errors.h"
#include "fastgrad/function.h"
#include "fastgrad/grad_mode.h"
#include "fastgrad/node.h"
#include "fastgrad/ops.h"
#include "fastgrad/scalar.h"
#include "fastgrad/shape.h"
#include "fastgrad/storage.h"
#include "fastgrad/tensor.h"
#include "fastgrad/tensor_impl.h"

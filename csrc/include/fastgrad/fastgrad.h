#pragma once
// fastgrad: tensors with reverse-mode automatic differentiation, on the CPU.
// Include this one header; see tensor.h for Tensor and node.h for how the graph works.
#include "fastgrad/autograd.h"
#include "fastgrad/config.h"
#include "fastgrad/dtype.h"
#include "fastgrad/errors.h"
#include "fastgrad/grad_mode.h"
#include "fastgrad/node.h"
#include "fastgrad/ops.h"
#include "fastgrad/scalar.h"
#include "fastgrad/shape.h"
#include "fastgrad/storage.h"
#include "fastgrad/tensor.h"
#include "fastgrad/tensor_impl.h"

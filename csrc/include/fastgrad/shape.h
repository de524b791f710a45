#pragma once
// Shapes and strides, and the shape arithmetic every op shares (broadcasting, dim wrapping).
#include <cstdint>
#include <string>
#include <vector>

#include "fastgrad/export.h"

namespace fastgrad {

using Shape = std::vector<int64_t>;

FASTGRAD_API int64_t shape_numel(const Shape& shape);
// Row-major strides of a contiguous tensor of this shape.
FASTGRAD_API Shape contiguous_strides(const Shape& shape);
// "[2, 3]" as PyTorch writes sizes in messages.
FASTGRAD_API std::string shape_str(const Shape& shape);
// NumPy broadcasting; throws naming `op` when the shapes are incompatible.
FASTGRAD_API Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op = nullptr);
// True when `from` can be broadcast to `to`.
FASTGRAD_API bool is_expandable_to(const Shape& from, const Shape& to);
// Wraps a possibly negative dim into [0, ndim); IndexError like PyTorch when out of range.
FASTGRAD_API int64_t wrap_dim(int64_t dim, int64_t ndim);

}  // namespace fastgrad

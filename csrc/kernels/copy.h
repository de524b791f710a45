#pragma once
// Copy with dtype conversion between strided buffers, and fill.
#include "fastgrad/dtype.h"
#include "fastgrad/scalar.h"
#include "kernels/loop.h"

namespace fastgrad::kernels {

// g has two operands: 0 = dst, 1 = src.
void copy_cast(const Geometry& g, void* dst, ScalarType dst_type, const void* src,
               ScalarType src_type);
// g has one operand: dst.
void fill(const Geometry& g, void* dst, ScalarType type, const Scalar& value);

}  // namespace fastgrad::kernels

#pragma once
// Scans along one dimension: cumulative sum, and the "product of all other elements" used by
// prod's backward (prefix times suffix products, exact in the presence of zeros).
#include <cstdint>

#include "fastgrad/dtype.h"

namespace fastgrad::kernels {

// The tensor is viewed as (outer, len, inner) with element strides (so, sl, si) for in and
// contiguous for out.
struct LineGeometry {
  int64_t outer = 1, len = 1, inner = 1;
  int64_t so = 0, sl = 0, si = 0;  // input strides in elements
};

void cumsum_kernel(ScalarType type, const LineGeometry& g, const void* in, void* out, bool reverse);
void prod_others_kernel(ScalarType type, const LineGeometry& g, const void* in, void* out);
void prod_kernel(ScalarType type, const LineGeometry& g, const void* in, void* out);

}  // namespace fastgrad::kernels

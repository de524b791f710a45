#pragma once
// Reductions over a set of dimensions. Every output element is reduced by one thread in a fixed
// order (blocks of 8 lanes combined the same way every time), and a full reduction splits its
// input into fixed-size blocks whose partial results are combined in block order, so results do
// not depend on the number of threads.
#include <cstdint>
#include <vector>

#include "fastgrad/dtype.h"

namespace fastgrad::kernels {

struct ReduceGeometry {
  std::vector<int64_t> out_sizes;    // kept dims without 1s, merged where contiguous
  std::vector<int64_t> out_strides;  // input strides (elements) along kept dims
  std::vector<int64_t> red_sizes;    // reduced dims, merged where contiguous
  std::vector<int64_t> red_strides;  // input strides (elements) along reduced dims
  int64_t out_numel = 1;
  int64_t red_numel = 1;
};

// reduce[d] says whether input dim d is reduced.
ReduceGeometry make_reduce_geometry(const std::vector<int64_t>& sizes,
                                    const std::vector<int64_t>& strides,
                                    const std::vector<bool>& reduce);

// out[o] = sum of the reduced elements (divided by `divisor`, for mean). in/out have dtype `type`;
// out is contiguous over the kept dims.
void sum_kernel(const ReduceGeometry& g, const void* in, void* out, ScalarType type,
                double divisor);
// Max or min with the index of the first extreme element (position within the reduced dims,
// row-major). NaN wins, as in PyTorch. `indices` may be null.
void minmax_kernel(const ReduceGeometry& g, const void* in, void* values, int64_t* indices,
                   ScalarType type, bool is_max);

}  // namespace fastgrad::kernels

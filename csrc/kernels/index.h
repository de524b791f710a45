#pragma once
// Gather/scatter by precomputed element offsets: the ops layer turns index tensors into
// offsets (validated, negative indices wrapped); these loops only move data.
#include <cstdint>
#include <vector>

#include "fastgrad/dtype.h"

namespace fastgrad::kernels {

// For each i < n: copy the block at src + offsets[i] (shape `rest`, element strides
// `rest_strides`) into dst row i (rows are contiguous, numel(rest) long).
void index_gather(ScalarType type, const void* src, const int64_t* offsets, int64_t n,
                  const std::vector<int64_t>& rest, const std::vector<int64_t>& rest_strides,
                  void* dst);
// The reverse: row i of src goes to the block at dst + offsets[i]; with `accumulate` repeated
// offsets add up (done serially, so the sum order is fixed), otherwise the last write wins.
void index_scatter(ScalarType type, void* dst, const int64_t* offsets, int64_t n,
                   const std::vector<int64_t>& rest, const std::vector<int64_t>& rest_strides,
                   const void* src, bool accumulate);

}  // namespace fastgrad::kernels

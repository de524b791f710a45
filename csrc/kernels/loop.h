#pragma once
// Strided iteration for elementwise kernels over up to three operands (operand 0 is the output).
// Shapes are broadcast by giving an operand stride 0 along a dimension; adjacent dimensions that
// are laid out back to back in every operand are merged, so contiguous tensors become one run.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace fastgrad::kernels {

constexpr int kMaxOperands = 4;

struct Geometry {
  std::vector<int64_t> sizes;                              // innermost last
  std::array<std::vector<int64_t>, kMaxOperands> strides;  // in bytes
  int noperands = 0;
  int64_t numel = 1;
};

// sizes: the output shape; strides[k]: operand k's strides in bytes, already aligned to `sizes`
// (0 along broadcast dimensions).
Geometry make_geometry(const std::vector<int64_t>& sizes,
                       const std::vector<std::vector<int64_t>>& strides);

// Calls f(ptrs, inner_strides, n) for each run of consecutive innermost elements whose linear
// indices lie in [begin, end). ptrs point at the run's first element of each operand.
template <typename F>
void for_each_run(const Geometry& g, const std::array<char*, kMaxOperands>& base, int64_t begin,
                  int64_t end, const F& f) {
  const int nd = static_cast<int>(g.sizes.size());
  const int nop = g.noperands;
  if (nd == 0) {
    if (begin < end) f(base, std::array<int64_t, kMaxOperands>{}, int64_t{1});
    return;
  }
  // Multi-index of `begin`.
  std::vector<int64_t> idx(nd);
  int64_t rem = begin;
  for (int d = nd - 1; d >= 0; --d) {
    idx[d] = rem % g.sizes[d];
    rem /= g.sizes[d];
  }
  std::array<char*, kMaxOperands> p = base;
  for (int k = 0; k < nop; ++k)
    for (int d = 0; d < nd; ++d) p[k] += idx[d] * g.strides[k][d];
  std::array<int64_t, kMaxOperands> inner{};
  for (int k = 0; k < nop; ++k) inner[k] = g.strides[k][nd - 1];
  const int64_t inner_size = g.sizes[nd - 1];

  int64_t i = begin;
  while (i < end) {
    int64_t n = std::min(inner_size - idx[nd - 1], end - i);
    f(p, inner, n);
    i += n;
    // Advance the multi-index past the run: carry into outer dimensions.
    for (int k = 0; k < nop; ++k) p[k] += n * inner[k];
    idx[nd - 1] += n;
    for (int d = nd - 1; d > 0 && idx[d] == g.sizes[d]; --d) {
      for (int k = 0; k < nop; ++k) p[k] += g.strides[k][d - 1] - g.sizes[d] * g.strides[k][d];
      idx[d] = 0;
      ++idx[d - 1];
    }
  }
}

}  // namespace fastgrad::kernels

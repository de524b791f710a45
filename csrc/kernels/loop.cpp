#include "kernels/loop.h"

namespace fastgrad::kernels {

Geometry make_geometry(const std::vector<int64_t>& sizes,
                       const std::vector<std::vector<int64_t>>& strides) {
  Geometry g;
  g.noperands = static_cast<int>(strides.size());
  // Drop size-1 dims, then merge dim d into d-1 when every operand steps through them as one.
  std::vector<int64_t> sz;
  std::array<std::vector<int64_t>, kMaxOperands> st;
  for (size_t d = 0; d < sizes.size(); ++d) {
    g.numel *= sizes[d];
    if (sizes[d] == 1) continue;
    sz.push_back(sizes[d]);
    for (int k = 0; k < g.noperands; ++k) st[k].push_back(strides[k][d]);
  }
  for (size_t d = 0; d < sz.size(); ++d) {
    if (!g.sizes.empty()) {
      bool mergeable = true;
      for (int k = 0; k < g.noperands; ++k)
        if (g.strides[k].back() != st[k][d] * sz[d]) mergeable = false;
      if (mergeable) {
        g.sizes.back() *= sz[d];
        for (int k = 0; k < g.noperands; ++k) g.strides[k].back() = st[k][d];
        continue;
      }
    }
    g.sizes.push_back(sz[d]);
    for (int k = 0; k < g.noperands; ++k) g.strides[k].push_back(st[k][d]);
  }
  return g;
}

}  // namespace fastgrad::kernels

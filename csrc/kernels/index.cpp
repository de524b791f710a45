#include "kernels/index.h"

#include "fastgrad/errors.h"
#include "kernels/parallel.h"

namespace fastgrad::kernels {

namespace {

// Offsets (in elements) of every element of a block of shape `rest`, row-major.
std::vector<int64_t> block_offsets(const std::vector<int64_t>& rest,
                                   const std::vector<int64_t>& strides) {
  std::vector<int64_t> offs{0};
  for (size_t d = 0; d < rest.size(); ++d) {
    std::vector<int64_t> next;
    next.reserve(offs.size() * static_cast<size_t>(rest[d]));
    for (int64_t o : offs)
      for (int64_t k = 0; k < rest[d]; ++k) next.push_back(o + k * strides[d]);
    offs.swap(next);
  }
  return offs;
}

}  // namespace

void index_gather(ScalarType type, const void* src, const int64_t* offsets, int64_t n,
                  const std::vector<int64_t>& rest, const std::vector<int64_t>& rest_strides,
                  void* dst) {
  const std::vector<int64_t> block = block_offsets(rest, rest_strides);
  const int64_t m = static_cast<int64_t>(block.size());
  FG_DISPATCH_ALL(type, "index", [&] {
    const scalar_t* s = static_cast<const scalar_t*>(src);
    scalar_t* d = static_cast<scalar_t*>(dst);
    parallel_for(0, n, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, m)),
                 [&](int64_t i0, int64_t i1) {
                   for (int64_t i = i0; i < i1; ++i)
                     for (int64_t j = 0; j < m; ++j) d[i * m + j] = s[offsets[i] + block[j]];
                 });
  });
}

void index_scatter(ScalarType type, void* dst, const int64_t* offsets, int64_t n,
                   const std::vector<int64_t>& rest, const std::vector<int64_t>& rest_strides,
                   const void* src, bool accumulate) {
  const std::vector<int64_t> block = block_offsets(rest, rest_strides);
  const int64_t m = static_cast<int64_t>(block.size());
  FG_DISPATCH_ALL(type, "index_put", [&] {
    const scalar_t* s = static_cast<const scalar_t*>(src);
    scalar_t* d = static_cast<scalar_t*>(dst);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < m; ++j) {
        scalar_t& t = d[offsets[i] + block[j]];
        if (accumulate) {
          if constexpr (std::is_same_v<scalar_t, bool>)
            t = t || s[i * m + j];
          else
            t += s[i * m + j];
        } else {
          t = s[i * m + j];
        }
      }
  });
}

}  // namespace fastgrad::kernels

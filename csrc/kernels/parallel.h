#pragma once
// parallel_for: splits [begin, end) into contiguous chunks across OpenMP threads, but only when
// the range is larger than `grain` elements; small tensors run inline on the calling thread so
// they never pay thread wake-up.
#include <algorithm>
#include <cstdint>

#ifdef FASTGRAD_USE_OPENMP
#include <omp.h>
#endif

namespace fastgrad::kernels {

// Elementwise work below this many elements is not worth waking threads for.
constexpr int64_t kGrainSize = 32768;

inline int max_threads() {
#ifdef FASTGRAD_USE_OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

inline bool in_parallel_region() {
#ifdef FASTGRAD_USE_OPENMP
  return omp_in_parallel();
#else
  return false;
#endif
}

template <typename F>
void parallel_for(int64_t begin, int64_t end, int64_t grain, const F& f) {
  if (begin >= end) return;
#ifdef FASTGRAD_USE_OPENMP
  const int64_t n = end - begin;
  int threads = max_threads();
  if (n > grain && threads > 1 && !in_parallel_region()) {
    int64_t max_chunks = (n + grain - 1) / grain;
    int use = static_cast<int>(std::min<int64_t>(threads, max_chunks));
#pragma omp parallel num_threads(use)
    {
      int tid = omp_get_thread_num();
      int nt = omp_get_num_threads();
      int64_t chunk = (n + nt - 1) / nt;
      int64_t b = begin + tid * chunk;
      int64_t e = std::min(end, b + chunk);
      if (b < e) f(b, e);
    }
    return;
  }
#endif
  (void)grain;
  f(begin, end);
}

}  // namespace fastgrad::kernels

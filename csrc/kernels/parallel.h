#pragma once
// parallel_for: splits [begin, end) into contiguous pieces run by the calling thread and the
// pool's workers (thread_pool.h), but only when the range is larger than `grain` elements; small
// tensors run inline on the calling thread so they never pay thread wake-up. f(b, e) may run
// for the pieces in any order and on any thread. The thread count is OpenMP's
// (omp_get_max_threads: OMP_NUM_THREADS, set_num_threads).
#include <algorithm>
#include <cstdint>

#ifdef FASTGRAD_USE_OPENMP
#include <omp.h>
#endif

#include "kernels/cpu.h"
#include "kernels/thread_pool.h"

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

// True inside a parallel_for piece: nested ranges run inline.
inline bool in_parallel_region() { return in_pool_job(); }

template <typename F>
void parallel_for(int64_t begin, int64_t end, int64_t grain, const F& f) {
  if (begin >= end) return;
  const int64_t n = end - begin;
  const int threads = max_threads();
  if (n > grain && threads > 1 && !in_pool_job()) {
    const int use = static_cast<int>(std::min<int64_t>(threads, (n + grain - 1) / grain));
    const PieceFn piece = [](const void* ctx, int64_t b, int64_t e) {
      (*static_cast<const F*>(ctx))(b, e);
    };
    if (pool_run(begin, end, grain, use, piece, &f)) return;
  }
  f(begin, end);
}

}  // namespace fastgrad::kernels

#pragma once
// parallel_for: splits [begin, end) into contiguous chunks across OpenMP threads, but only when
// the range is larger than `grain` elements; small tensors run inline on the calling thread so
// they never pay thread wake-up. f(b, e) may run for the chunks in any order and on any thread.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>

#ifdef FASTGRAD_USE_OPENMP
#include <omp.h>
#endif

#include "kernels/cpu.h"

namespace fastgrad::kernels {

// Elementwise work below this many elements is not worth waking threads for.
constexpr int64_t kGrainSize = 32768;

// A spin-wait hint to the CPU (x86 `pause`), nothing elsewhere.
inline void cpu_relax() {
#ifdef FASTGRAD_X86
  _mm_pause();
#endif
}

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

#ifdef FASTGRAD_USE_OPENMP
// Spins until counter reaches target or ~50 us have passed.
inline void wait_briefly(const std::atomic<int64_t>& counter, int64_t target) {
  if (counter.load(std::memory_order_relaxed) >= target) return;
  const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(50);
  while (counter.load(std::memory_order_relaxed) < target) {
    for (int i = 0; i < 16; ++i) cpu_relax();
    if (std::chrono::steady_clock::now() > until) return;
  }
}
#endif

template <typename F>
void parallel_for(int64_t begin, int64_t end, int64_t grain, const F& f) {
  if (begin >= end) return;
#ifdef FASTGRAD_USE_OPENMP
  const int64_t n = end - begin;
  int threads = max_threads();
  if (n > grain && threads > 1 && !in_parallel_region()) {
    int64_t max_chunks = (n + grain - 1) / grain;
    int use = static_cast<int>(std::min<int64_t>(threads, max_chunks));
    // Work is taken from a shared counter in shrinking pieces (a quarter of what is left with
    // two threads, never less than `grain`), not split into one fixed share per thread: the
    // calling thread starts at once while the others wake up, and a thread that wakes late
    // (a passive wake-up takes ~60 us on a shared VM, as long as a whole 1M-element add) takes
    // only what is left. Large pieces are whole multiples of 64 elements (cache lines).
    std::atomic<int64_t> next{begin}, done{0};
#pragma omp parallel num_threads(use)
    {
      int64_t b = next.load(std::memory_order_relaxed);
      while (b < end) {
        int64_t size = std::max(grain, (end - b) / (2 * int64_t{use}));
        if (size >= 1024) size = (size + 63) / 64 * 64;
        const int64_t e = end - b <= size ? end : b + size;
        // On failure b is reloaded with the counter's current value.
        if (next.compare_exchange_weak(b, e, std::memory_order_relaxed)) {
          f(b, e);
          done.fetch_add(e - b, std::memory_order_relaxed);
          b = next.load(std::memory_order_relaxed);
        }
      }
      // Nothing left to take, but other threads may still be finishing pieces. The calling
      // thread waits for them here, briefly, rather than in the region's closing barrier:
      // there it would go to sleep and be woken by the last thread to arrive, another
      // wake-up (~25 us on a VM whose idle vCPU halts) on every op. Bounded, so a thread
      // that lost its core is waited for asleep, as before.
      if (omp_get_thread_num() == 0) wait_briefly(done, n);
    }
    return;
  }
#endif
  (void)grain;
  f(begin, end);
}

}  // namespace fastgrad::kernels

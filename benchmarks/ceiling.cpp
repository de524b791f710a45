// What this machine can give at each thread count, independent of fastgrad: the numbers a
// scaling target has to be read against. Built and run by machine_ceiling.py.
//
//   fma256 / fma512: GFLOP/s of independent FMA chains (12 accumulators per thread, no memory
//                    traffic): the compute ceiling, and whether cores or hyperthreads are behind
//                    the logical CPUs (two threads on one core share its FMA units).
//   add / add_nt:    GB/s of c[i] = a[i] + b[i] over 16M floats (3 arrays counted, as
//                    benchmarks/compare.py counts them), with ordinary and with non-temporal
//                    stores: the memory ceiling for elementwise ops.
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

constexpr long kIters = 4000000;  // per thread: 12 * 8 * 2 * kIters flops with 256-bit vectors

#define FMA12(FMA, X)   \
  a0 = FMA(a0, X, X);   \
  a1 = FMA(a1, X, X);   \
  a2 = FMA(a2, X, X);   \
  a3 = FMA(a3, X, X);   \
  a4 = FMA(a4, X, X);   \
  a5 = FMA(a5, X, X);   \
  a6 = FMA(a6, X, X);   \
  a7 = FMA(a7, X, X);   \
  a8 = FMA(a8, X, X);   \
  a9 = FMA(a9, X, X);   \
  a10 = FMA(a10, X, X); \
  a11 = FMA(a11, X, X);

__attribute__((target("avx2,fma"))) float fma256(long iters) {
  // Distinct starting values: identical chains would be merged into one by the compiler.
  __m256 a0 = _mm256_set1_ps(0.90f), a1 = _mm256_set1_ps(0.91f), a2 = _mm256_set1_ps(0.92f),
         a3 = _mm256_set1_ps(0.93f), a4 = _mm256_set1_ps(0.94f), a5 = _mm256_set1_ps(0.95f),
         a6 = _mm256_set1_ps(0.96f), a7 = _mm256_set1_ps(0.97f), a8 = _mm256_set1_ps(0.98f),
         a9 = _mm256_set1_ps(0.99f), a10 = _mm256_set1_ps(1.01f), a11 = _mm256_set1_ps(1.02f);
  const __m256 x = _mm256_set1_ps(1e-7f);
  for (long i = 0; i < iters; ++i) {
    FMA12(_mm256_fmadd_ps, x)
  }
  __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
                           _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)));
  s = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(a8, a9), _mm256_add_ps(a10, a11)));
  alignas(32) float out[8];
  _mm256_store_ps(out, s);
  return out[0];
}

__attribute__((target("avx512f"))) float fma512(long iters) {
  // Distinct starting values: identical chains would be merged into one by the compiler.
  __m512 a0 = _mm512_set1_ps(0.90f), a1 = _mm512_set1_ps(0.91f), a2 = _mm512_set1_ps(0.92f),
         a3 = _mm512_set1_ps(0.93f), a4 = _mm512_set1_ps(0.94f), a5 = _mm512_set1_ps(0.95f),
         a6 = _mm512_set1_ps(0.96f), a7 = _mm512_set1_ps(0.97f), a8 = _mm512_set1_ps(0.98f),
         a9 = _mm512_set1_ps(0.99f), a10 = _mm512_set1_ps(1.01f), a11 = _mm512_set1_ps(1.02f);
  const __m512 x = _mm512_set1_ps(1e-7f);
  for (long i = 0; i < iters; ++i) {
    FMA12(_mm512_fmadd_ps, x)
  }
  __m512 s = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
                           _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7)));
  s = _mm512_add_ps(s, _mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11)));
  return _mm512_reduce_add_ps(s);
}

// Seconds for every thread of a team of `threads` to run `body` once (best of `reps`).
template <typename F>
double team_time(int threads, int reps, const F& body) {
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    const double t0 = now();
#pragma omp parallel num_threads(threads)
    body(omp_get_thread_num(), omp_get_num_threads());
    best = std::min(best, now() - t0);
  }
  return best;
}

void add_chunk(const float* a, const float* b, float* c, long lo, long hi) {
  for (long i = lo; i < hi; ++i) c[i] = a[i] + b[i];
}

// Same, with streaming stores (c is 64-byte aligned and chunks are multiples of 16 floats).
void add_chunk_nt(const float* a, const float* b, float* c, long lo, long hi) {
  for (long i = lo; i < hi; i += 4)
    _mm_stream_ps(c + i, _mm_add_ps(_mm_loadu_ps(a + i), _mm_loadu_ps(b + i)));
  _mm_sfence();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> counts;
  std::string list = argc > 1 ? argv[1] : "1,2";
  for (size_t p = 0; p < list.size();) {
    size_t q = list.find(',', p);
    counts.push_back(std::atoi(list.substr(p, q - p).c_str()));
    p = q == std::string::npos ? list.size() : q + 1;
  }
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  const bool avx512 = __builtin_cpu_supports("avx512f");

  const long n = 1L << 24;
  auto alloc = [&] { return static_cast<float*>(std::aligned_alloc(64, n * sizeof(float))); };
  float *a = alloc(), *b = alloc(), *c = alloc();
  const int most = *std::max_element(counts.begin(), counts.end());
#pragma omp parallel for num_threads(most) schedule(static)
  for (long i = 0; i < n; ++i) a[i] = b[i] = c[i] = 1.0f;

  std::printf(
      "| threads | fma256 GFLOP/s | speed-up | fma512 GFLOP/s | speed-up | add GB/s | "
      "add_nt GB/s |\n|---|---|---|---|---|---|---|\n");
  double base256 = 0, base512 = 0;
  volatile float sink = 0;
  for (int t : counts) {
    double g256 = 0, g512 = 0;
    if (avx2) {
      const double s = team_time(t, 3, [&](int, int) { sink = sink + fma256(kIters); });
      g256 = t * 12.0 * 8 * 2 * kIters / s / 1e9;
    }
    if (avx512) {
      const double s = team_time(t, 3, [&](int, int) { sink = sink + fma512(kIters / 2); });
      g512 = t * 12.0 * 16 * 2 * (kIters / 2) / s / 1e9;
    }
    if (base256 == 0) base256 = g256, base512 = g512;
    auto split = [&](int tid, int nt, long& lo, long& hi) {
      const long chunk = (n / nt + 15) / 16 * 16;
      lo = std::min(n, tid * chunk);
      hi = std::min(n, lo + chunk);
    };
    const double s_add = team_time(t, 7, [&](int tid, int nt) {
      long lo, hi;
      split(tid, nt, lo, hi);
      add_chunk(a, b, c, lo, hi);
    });
    const double s_nt = team_time(t, 7, [&](int tid, int nt) {
      long lo, hi;
      split(tid, nt, lo, hi);
      add_chunk_nt(a, b, c, lo, hi);
    });
    const double bytes = 3.0 * n * sizeof(float);
    std::printf("| %d | %.1f | %.2fx | %.1f | %.2fx | %.1f | %.1f |\n", t, g256,
                base256 > 0 ? g256 / base256 : 0.0, g512, base512 > 0 ? g512 / base512 : 0.0,
                bytes / s_add / 1e9, bytes / s_nt / 1e9);
    std::fflush(stdout);
  }
  std::free(a);
  std::free(b);
  std::free(c);
  return 0;
}

#include "kernels/reduce.h"

#include <algorithm>
#include <array>

#include "fastgrad/errors.h"
#include "kernels/cpu.h"
#include "kernels/math.h"
#include "kernels/parallel.h"
#include "kernels/stream.h"

namespace fastgrad::kernels {

ReduceGeometry make_reduce_geometry(const std::vector<int64_t>& sizes,
                                    const std::vector<int64_t>& strides,
                                    const std::vector<bool>& reduce) {
  ReduceGeometry g;
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (reduce[d]) {
      g.red_numel *= sizes[d];
      if (sizes[d] == 1) continue;
      // Merge with the previous reduced dim when they form one strided run.
      if (!g.red_sizes.empty() && g.red_strides.back() == strides[d] * sizes[d]) {
        g.red_sizes.back() *= sizes[d];
        g.red_strides.back() = strides[d];
      } else {
        g.red_sizes.push_back(sizes[d]);
        g.red_strides.push_back(strides[d]);
      }
    } else {
      g.out_numel *= sizes[d];
      g.out_sizes.push_back(sizes[d]);
      g.out_strides.push_back(strides[d]);
    }
  }
  return g;
}

namespace {

template <typename T>
using acc_t = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;

// Input offset of output element o.
int64_t out_offset(const ReduceGeometry& g, int64_t o) {
  int64_t off = 0;
  for (size_t d = g.out_sizes.size(); d-- > 0;) {
    off += (o % g.out_sizes[d]) * g.out_strides[d];
    o /= g.out_sizes[d];
  }
  return off;
}

// Sum of n elements with a stride, in 8 independent lanes (vectorisable, fixed order).
template <typename T>
acc_t<T> run_sum(const T* x, int64_t stride, int64_t n);

// float32, contiguous: 16 float lanes over chunks of 1024 elements (short enough that float
// accumulation loses nothing PyTorch's cascade sum keeps), chunk totals added in double.
// Four times the throughput of converting every element to double; still a fixed order.
constexpr int64_t kChunk = 1024;

#ifdef FASTGRAD_X86
// The 16 lanes of a chunk as two ymm registers, folded as the portable loop folds them.
__attribute__((target("avx2"))) inline float fold16(__m256 lo, __m256 hi) {
  __m256 v = _mm256_add_ps(lo, hi);  // lane[l] += lane[l + 8]
  __m128 h = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));  // l + 4
  h = _mm_add_ps(h, _mm_movehl_ps(h, h));                                         // l + 2
  h = _mm_add_ss(h, _mm_shuffle_ps(h, h, 1));                                     // l + 1
  return _mm_cvtss_f32(h);
}

// One chunk of each of four arrays side by side, each with its own 16 lanes: the same
// additions in the same order as the portable loop (bitwise the same chunk sums), with four
// times the independent chains — one chunk's 64-long chains of dependent adds made a sum of
// cached data latency-bound. `next`, when given, is prefetched 256 bytes a step (16 KiB).
__attribute__((target("avx2"))) inline void chunks4_avx2(const float* x0, const float* x1,
                                                         const float* x2, const float* x3,
                                                         const char* next, float out[4]) {
  __m256 a0 = _mm256_setzero_ps(), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0, a3 = a0, b3 = a0;
  for (int64_t j = 0; j < kChunk; j += 16) {
    if (next) {
      const char* p = next + j * 16;
      _mm_prefetch(p, _MM_HINT_T0);
      _mm_prefetch(p + 64, _MM_HINT_T0);
      _mm_prefetch(p + 128, _MM_HINT_T0);
      _mm_prefetch(p + 192, _MM_HINT_T0);
    }
    a0 = _mm256_add_ps(a0, _mm256_loadu_ps(x0 + j));
    b0 = _mm256_add_ps(b0, _mm256_loadu_ps(x0 + j + 8));
    a1 = _mm256_add_ps(a1, _mm256_loadu_ps(x1 + j));
    b1 = _mm256_add_ps(b1, _mm256_loadu_ps(x1 + j + 8));
    a2 = _mm256_add_ps(a2, _mm256_loadu_ps(x2 + j));
    b2 = _mm256_add_ps(b2, _mm256_loadu_ps(x2 + j + 8));
    a3 = _mm256_add_ps(a3, _mm256_loadu_ps(x3 + j));
    b3 = _mm256_add_ps(b3, _mm256_loadu_ps(x3 + j + 8));
  }
  out[0] = fold16(a0, b0);
  out[1] = fold16(a1, b1);
  out[2] = fold16(a2, b2);
  out[3] = fold16(a3, b3);
}

// Whole groups of four consecutive chunks, their totals added to `total` in order. Four
// streams 4 KiB apart each end after one page, too soon for the hardware prefetcher to run
// ahead, so the next group is prefetched.
__attribute__((target("avx2"))) double sum_chunks4_avx2(const float* x, int64_t groups,
                                                        double total) {
  for (int64_t g = 0; g < groups; ++g, x += 4 * kChunk) {
    float c[4];
    chunks4_avx2(x, x + kChunk, x + 2 * kChunk, x + 3 * kChunk,
                 reinterpret_cast<const char*>(x + 4 * kChunk), c);
    for (float v : c) total += v;
  }
  return total;
}

// run_sum_f32_contiguous of four rows of n floats at once (row sums of a matrix): each row's
// result is bitwise the single-row one, its chunks summed alone and added in order. No
// prefetching: four rows apart, it did worse from memory than the hardware prefetcher.
__attribute__((target("avx2"))) void sum_rows4_avx2(const float* const rows[4], int64_t n,
                                                    double out[4]) {
  double total[4] = {0, 0, 0, 0};
  int64_t i = 0;
  for (; i + kChunk <= n; i += kChunk) {
    float c[4];
    chunks4_avx2(rows[0] + i, rows[1] + i, rows[2] + i, rows[3] + i, nullptr, c);
    for (int r = 0; r < 4; ++r) total[r] += c[r];
  }
  for (int r = 0; r < 4; ++r) {
    double tail = 0;
    for (int64_t k = i; k < n; ++k) tail += rows[r][k];
    out[r] = total[r] + tail;
  }
}
#endif

#ifdef FASTGRAD_X86
// acc[j] += row_r[j] for rows r = 0..m-1 (row_r = x + r * stride), j < n, in that order for
// every j: the row-at-a-time loop's additions, bitwise the same sums. Eight rows per pass
// over a strip of 16 columns, so each accumulator is loaded and stored once per eight rows
// instead of once per row (summing a matrix over dim 0 was bound by those loads and stores).
template <typename T>
__attribute__((target("avx2"))) inline __m256d load4_as_f64(const T* p) {
  if constexpr (std::is_same_v<T, float>)
    return _mm256_cvtps_pd(_mm_loadu_ps(p));
  else
    return _mm256_loadu_pd(p);
}

template <typename T>
__attribute__((target("avx2"))) void add_rows_avx2(const T* x, int64_t stride, int64_t m,
                                                   double* acc, int64_t n) {
  constexpr int64_t kRows = 8;
  for (int64_t r0 = 0; r0 < m; r0 += kRows) {
    const int64_t rows = std::min(kRows, m - r0);
    const T* base = x + r0 * stride;
    int64_t j = 0;
    for (; j + 16 <= n; j += 16) {
      __m256d a0 = _mm256_loadu_pd(acc + j), a1 = _mm256_loadu_pd(acc + j + 4);
      __m256d a2 = _mm256_loadu_pd(acc + j + 8), a3 = _mm256_loadu_pd(acc + j + 12);
      const T* p = base + j;
      for (int64_t r = 0; r < rows; ++r, p += stride) {
        a0 = _mm256_add_pd(a0, load4_as_f64(p));
        a1 = _mm256_add_pd(a1, load4_as_f64(p + 4));
        a2 = _mm256_add_pd(a2, load4_as_f64(p + 8));
        a3 = _mm256_add_pd(a3, load4_as_f64(p + 12));
      }
      _mm256_storeu_pd(acc + j, a0);
      _mm256_storeu_pd(acc + j + 4, a1);
      _mm256_storeu_pd(acc + j + 8, a2);
      _mm256_storeu_pd(acc + j + 12, a3);
    }
    for (; j < n; ++j) {
      double a = acc[j];
      for (int64_t r = 0; r < rows; ++r) a += static_cast<double>(base[r * stride + j]);
      acc[j] = a;
    }
  }
}
#endif

inline double run_sum_f32_contiguous(const float* x, int64_t n) {
  double total = 0;
  int64_t i = 0;
#ifdef FASTGRAD_X86
  if (cpu_has_avx2_fma() && n >= 4 * kChunk) {
    const int64_t groups = n / (4 * kChunk);
    total = sum_chunks4_avx2(x, groups, total);
    i = groups * 4 * kChunk;
  }
#endif
  for (; i + kChunk <= n; i += kChunk) {
    float lane[16] = {};
    for (int64_t j = 0; j < kChunk; j += 16)
      for (int l = 0; l < 16; ++l) lane[l] += x[i + j + l];
    for (int w = 8; w >= 1; w /= 2)
      for (int l = 0; l < w; ++l) lane[l] += lane[l + w];
    total += lane[0];
  }
  double tail = 0;
  for (; i < n; ++i) tail += x[i];
  return total + tail;
}

template <typename T>
acc_t<T> run_sum(const T* x, int64_t stride, int64_t n) {
  if constexpr (std::is_same_v<T, float>) {
    if (stride == 1) return run_sum_f32_contiguous(x, n);
  }
  using A = acc_t<T>;
  std::array<A, 8> lane{};
  int64_t i = 0;
  if (stride == 1) {
    for (; i + 8 <= n; i += 8)
      for (int l = 0; l < 8; ++l) lane[l] += static_cast<A>(x[i + l]);
  }
  for (; i < n; ++i) lane[i & 7] += static_cast<A>(x[i * stride]);
  A s = ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
  return s;
}

// Visits the reduced elements of the element at `base` as strided runs along the innermost
// reduced dim, in row-major order of the reduced dims.
template <typename T, typename F>
void for_each_reduced_run(const ReduceGeometry& g, const T* base, int64_t begin, int64_t end,
                          const F& f) {
  const int nd = static_cast<int>(g.red_sizes.size());
  if (nd == 0) {
    if (begin < end) f(base, int64_t{1}, int64_t{1}, begin);
    return;
  }
  const int64_t inner = g.red_sizes[nd - 1];
  const int64_t inner_stride = g.red_strides[nd - 1];
  int64_t i = begin;
  while (i < end) {
    int64_t rem = i, off = 0;
    int64_t pos = rem % inner;
    rem /= inner;
    off += pos * inner_stride;
    for (int d = nd - 2; d >= 0; --d) {
      off += (rem % g.red_sizes[d]) * g.red_strides[d];
      rem /= g.red_sizes[d];
    }
    int64_t n = std::min(inner - pos, end - i);
    f(base + off, inner_stride, n, i);
    i += n;
  }
}

constexpr int64_t kReduceBlock = 16384;

template <typename T>
void sum_impl(const ReduceGeometry& g, const T* in, T* out, double divisor) {
  using A = acc_t<T>;
  auto finish = [&](A s) -> T {
    if constexpr (std::is_floating_point_v<T>)
      return static_cast<T>(s / divisor);
    else
      return static_cast<T>(s);
  };
  if (g.out_numel == 0) return;
  if (g.out_numel == 1 && g.red_numel > kReduceBlock) {
    // One output: fixed blocks summed in parallel, combined in block order.
    int64_t nblocks = (g.red_numel + kReduceBlock - 1) / kReduceBlock;
    std::vector<A> partial(nblocks);
    parallel_for(0, nblocks, 1, [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; ++b) {
        A s = 0;
        for_each_reduced_run(
            g, in, b * kReduceBlock, std::min(g.red_numel, (b + 1) * kReduceBlock),
            [&](const T* x, int64_t st, int64_t n, int64_t) { s += run_sum(x, st, n); });
        partial[b] = s;
      }
    });
    A s = 0;
    for (A p : partial) s += p;
    out[0] = finish(s);
    return;
  }
  if (!g.out_sizes.empty() && g.out_strides.back() == 1 && g.red_numel > 1) {
    // The innermost kept dim is contiguous (e.g. summing a (N, M) tensor over dim 0): sweep the
    // reduced elements in the outer loop and a block of adjacent outputs in the inner loop, so
    // memory is read in order and the inner loop vectorises. Each output still adds its
    // elements in the same fixed order, whatever the block and thread split.
    //
    // Blocks are wide (up to 4096 outputs, 32 KiB of double accumulators): with narrow blocks
    // every row segment of a wide matrix lands on its own page, and the TLB misses cost 3x.
    const int64_t inner = g.out_sizes.back();
    const int64_t outers = g.out_numel / inner;
    int64_t block = std::min<int64_t>(inner, 4096);
    // With a single row of outputs, split it so that every thread gets a block.
    const int64_t threads = max_threads();
    if (outers < threads && block == inner && inner >= 512)
      block = ((inner + threads - 1) / threads + 63) / 64 * 64;
    const int64_t nblocks = (inner + block - 1) / block;
    const int64_t tasks = outers * nblocks;
    const int64_t grain =
        std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, g.red_numel * block));
    parallel_for(0, tasks, grain, [&](int64_t t0, int64_t t1) {
      std::vector<A> acc(block);
      for (int64_t t = t0; t < t1; ++t) {
        const int64_t outer = t / nblocks, j0 = (t % nblocks) * block;
        const int64_t n = std::min(block, inner - j0);
        const int64_t o = outer * inner + j0;
        A* a = acc.data();
        std::fill(a, a + n, A(0));
        for_each_reduced_run(g, in + out_offset(g, o), 0, g.red_numel,
                             [&](const T* x, int64_t st, int64_t m, int64_t) {
#ifdef FASTGRAD_X86
                               if constexpr (std::is_floating_point_v<T>) {
                                 if (cpu_has_avx2_fma()) return add_rows_avx2(x, st, m, a, n);
                               }
#endif
                               for (int64_t k = 0; k < m; ++k) {
                                 const T* row = x + k * st;
                                 for (int64_t j = 0; j < n; ++j) a[j] += static_cast<A>(row[j]);
                               }
                             });
        for (int64_t j = 0; j < n; ++j) out[o + j] = finish(a[j]);
      }
    });
    return;
  }
  int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, g.red_numel));
  // float32 rows of at least a chunk, contiguous, cached: four outputs at a time
  // (sum_rows4_avx2). From memory, one row at a time already runs at the bandwidth, and four
  // streams 16 KiB apart prefetched worse (4096x4096 along dim 1: 2.1 -> 2.3-2.6 ms).
  bool rows4 = false;
#ifdef FASTGRAD_X86
  if constexpr (std::is_same_v<T, float>)
    rows4 = cpu_has_avx2_fma() && g.red_sizes.size() == 1 && g.red_strides[0] == 1 &&
            g.red_numel >= kChunk &&
            g.out_numel * g.red_numel * static_cast<int64_t>(sizeof(float)) < streaming_threshold();
#endif
  parallel_for(0, g.out_numel, grain, [&](int64_t o0, int64_t o1) {
    int64_t o = o0;
#ifdef FASTGRAD_X86
    if constexpr (std::is_same_v<T, float>) {
      for (; rows4 && o + 4 <= o1; o += 4) {
        const float* rows[4];
        for (int r = 0; r < 4; ++r) rows[r] = in + out_offset(g, o + r);
        double sums[4];
        sum_rows4_avx2(rows, g.red_numel, sums);
        for (int r = 0; r < 4; ++r) out[o + r] = finish(sums[r]);
      }
    }
#endif
    for (; o < o1; ++o) {
      A s = 0;
      for_each_reduced_run(
          g, in + out_offset(g, o), 0, g.red_numel,
          [&](const T* x, int64_t st, int64_t n, int64_t) { s += run_sum(x, st, n); });
      out[o] = finish(s);
    }
  });
}

template <typename T>
void minmax_impl(const ReduceGeometry& g, const T* in, T* values, int64_t* indices, bool is_max) {
  if (g.out_numel == 0) return;
  int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, g.red_numel));
  parallel_for(0, g.out_numel, grain, [&](int64_t o0, int64_t o1) {
    for (int64_t o = o0; o < o1; ++o) {
      T best{};
      int64_t best_i = -1;
      bool found_nan = false;
      for_each_reduced_run(g, in + out_offset(g, o), 0, g.red_numel,
                           [&](const T* x, int64_t st, int64_t n, int64_t start) {
                             if (found_nan) return;
                             for (int64_t i = 0; i < n; ++i) {
                               T v = x[i * st];
                               if (is_nan(v)) {
                                 best = v;
                                 best_i = start + i;
                                 found_nan = true;
                                 return;
                               }
                               if (best_i < 0 || (is_max ? v > best : v < best)) {
                                 best = v;
                                 best_i = start + i;
                               }
                             }
                           });
      values[o] = best;
      if (indices) indices[o] = best_i;
    }
  });
}

}  // namespace

void sum_kernel(const ReduceGeometry& g, const void* in, void* out, ScalarType type,
                double divisor) {
  FG_DISPATCH_NUMERIC(type, "sum", [&] {
    sum_impl(g, static_cast<const scalar_t*>(in), static_cast<scalar_t*>(out), divisor);
  });
}

void minmax_kernel(const ReduceGeometry& g, const void* in, void* values, int64_t* indices,
                   ScalarType type, bool is_max) {
  FG_DISPATCH_ALL(type, is_max ? "max" : "min", [&] {
    minmax_impl(g, static_cast<const scalar_t*>(in), static_cast<scalar_t*>(values), indices,
                is_max);
  });
}

}  // namespace fastgrad::kernels

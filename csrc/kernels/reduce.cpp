#include "kernels/reduce.h"

#include <algorithm>
#include <array>

#include "fastgrad/errors.h"
#include "kernels/cpu.h"
#include "kernels/math.h"
#include "kernels/parallel.h"

namespace fastgrad::kernels {

ReduceGeometry make_reduce_geometry(const std::vector<int64_t>& sizes,
                                    const std::vector<int64_t>& strides,
                                    const std::vector<bool>& reduce) {
  ReduceGeometry g;
  // Dims of size 1 are dropped, and a dim is merged with the previous one of its kind when the
  // two form one strided run: a (B, T, C) tensor summed over C is B * T rows of C.
  auto add_dim = [](std::vector<int64_t>& sz, std::vector<int64_t>& st, int64_t size,
                    int64_t stride) {
    if (size == 1) return;
    if (!sz.empty() && st.back() == stride * size) {
      sz.back() *= size;
      st.back() = stride;
    } else {
      sz.push_back(size);
      st.push_back(stride);
    }
  };
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (reduce[d]) {
      g.red_numel *= sizes[d];
      add_dim(g.red_sizes, g.red_strides, sizes[d], strides[d]);
    } else {
      g.out_numel *= sizes[d];
      add_dim(g.out_sizes, g.out_strides, sizes[d], strides[d]);
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

// float32, contiguous: 64 float lanes over chunks of 1024 elements (short enough that float
// accumulation loses nothing PyTorch's cascade sum keeps), the lanes folded in halves, chunk
// totals added in double. The last chunk may be partial: its missing elements count as zeros
// (adding +0.0f to a lane changes nothing; lanes start at +0.0f and never become -0.0f).
// Four times the throughput of converting every element to double; still a fixed order.
constexpr int64_t kChunk = 1024;
constexpr int kLanes = 64;

#ifdef FASTGRAD_X86
// One chunk of m <= kChunk elements: the 64 lanes are eight ymm registers, so the dependent
// adds form 16-long chains, eight at a time, fed by one sequential stream. (With 16 lanes,
// four chunks 4 KiB apart had to be summed side by side to hide the add latency, and four
// streams read 6-13% slower than one, from cache and from memory.) The portable loop's
// additions in its order, fold included.
// The first k (1..8) floats at p, the other lanes zero.
__attribute__((target("avx2"))) inline __m256 load_first(const float* p, int64_t k) {
  alignas(64) static constexpr int32_t kMask[16] = {-1, -1, -1, -1, -1, -1, -1, -1,
                                                    0,  0,  0,  0,  0,  0,  0,  0};
  const int64_t n = std::min<int64_t>(k, 8);
  return _mm256_maskload_ps(p, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kMask + 8 - n)));
}

__attribute__((target("avx2"))) inline float chunk_sum_avx2(const float* x, int64_t m) {
  const __m256 z = _mm256_setzero_ps();
  __m256 a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z;
  int64_t j = 0;
  for (; j + kLanes <= m; j += kLanes) {
    const float* p = x + j;
    a0 = _mm256_add_ps(a0, _mm256_loadu_ps(p));
    a1 = _mm256_add_ps(a1, _mm256_loadu_ps(p + 8));
    a2 = _mm256_add_ps(a2, _mm256_loadu_ps(p + 16));
    a3 = _mm256_add_ps(a3, _mm256_loadu_ps(p + 24));
    a4 = _mm256_add_ps(a4, _mm256_loadu_ps(p + 32));
    a5 = _mm256_add_ps(a5, _mm256_loadu_ps(p + 40));
    a6 = _mm256_add_ps(a6, _mm256_loadu_ps(p + 48));
    a7 = _mm256_add_ps(a7, _mm256_loadu_ps(p + 56));
  }
  // A last, partial step: masked loads read the elements there are (the rest load as
  // zeros), and registers with no element are left alone.
  if (const int64_t k = m - j; k > 0) {
    const float* p = x + j;
    a0 = _mm256_add_ps(a0, load_first(p, k));
    if (k > 8) a1 = _mm256_add_ps(a1, load_first(p + 8, k - 8));
    if (k > 16) a2 = _mm256_add_ps(a2, load_first(p + 16, k - 16));
    if (k > 24) a3 = _mm256_add_ps(a3, load_first(p + 24, k - 24));
    if (k > 32) a4 = _mm256_add_ps(a4, load_first(p + 32, k - 32));
    if (k > 40) a5 = _mm256_add_ps(a5, load_first(p + 40, k - 40));
    if (k > 48) a6 = _mm256_add_ps(a6, load_first(p + 48, k - 48));
    if (k > 56) a7 = _mm256_add_ps(a7, load_first(p + 56, k - 56));
  }
  if (m > 16) {  // else a2..a7 are zeros and these adds change nothing (rows of a few)
    a0 = _mm256_add_ps(a0, a4);  // lane[l] += lane[l + 32]
    a1 = _mm256_add_ps(a1, a5);
    a2 = _mm256_add_ps(a2, a6);
    a3 = _mm256_add_ps(a3, a7);
    a0 = _mm256_add_ps(a0, a2);  // l + 16
    a1 = _mm256_add_ps(a1, a3);
  }
  const __m256 v = _mm256_add_ps(a0, a1);                                         // l + 8
  __m128 h = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));  // l + 4
  h = _mm_add_ps(h, _mm_movehl_ps(h, h));                                         // l + 2
  h = _mm_add_ss(h, _mm_shuffle_ps(h, h, 1));                                     // l + 1
  return _mm_cvtss_f32(h);
}

// out[r] = (sum of row r) / divisor for rows of n <= kChunk contiguous floats. One call for
// all the rows, so that a row costs its loads and adds: called once per row, with a division
// in the chain, a (4096, 10) tensor's sum(1) took 1.4x torch's time.
__attribute__((target("avx2"))) void short_row_sums_avx2(const float* x, int64_t row_stride,
                                                         int64_t n, int64_t rows, float* out,
                                                         double divisor) {
  for (int64_t r = 0; r < rows; ++r) out[r] = chunk_sum_avx2(x + r * row_stride, n);
  if (divisor != 1.0)  // a mean: run_sum's double total divided, one rounding (vectorised here)
    for (int64_t r = 0; r < rows; ++r)
      out[r] = static_cast<float>(static_cast<double>(out[r]) / divisor);
}
#endif

// The portable chunk: the same additions in the same order as chunk_sum_avx2.
inline float chunk_sum(const float* x, int64_t m) {
  float lane[kLanes] = {};
  for (int64_t j = 0; j < m; j += kLanes)
    for (int l = 0; l < kLanes && j + l < m; ++l) lane[l] += x[j + l];
  for (int w = kLanes / 2; w >= 1; w /= 2)
    for (int l = 0; l < w; ++l) lane[l] += lane[l + w];
  return lane[0];
}

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

// Row sums shorter than a chunk (a 256-wide row, a 784-pixel image) were a serial chain of
// double adds, 10x slower than torch; a partial chunk runs in the lanes like a whole one.
#ifdef FASTGRAD_X86
// A whole run in one call, the chunk code inlined, the level checked once per run. (Timed
// against a call and a check per chunk: no difference within the noise, 0.91-0.95 of torch's
// 1024x1024 sum() either way.)
__attribute__((target("avx2"))) double run_sum_f32_avx2(const float* x, int64_t n) {
  double total = 0;
  for (int64_t i = 0; i < n; i += kChunk) total += chunk_sum_avx2(x + i, std::min(kChunk, n - i));
  return total;
}
#endif

inline double run_sum_f32_contiguous(const float* x, int64_t n) {
#ifdef FASTGRAD_X86
  if (vector_level() >= 1) return run_sum_f32_avx2(x, n);
#endif
  double total = 0;
  for (int64_t i = 0; i < n; i += kChunk) total += chunk_sum(x + i, std::min(kChunk, n - i));
  return total;
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
                                 if (vector_level() >= 1) return add_rows_avx2(x, st, m, a, n);
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
  if (g.out_sizes.size() == 1 && g.red_sizes.size() == 1) {
    // One kept and one reduced dim (row sums of a matrix): each output is one strided run, its
    // address found by a multiply. The general walk's divisions sat between one row's sum and
    // the next row's loads (1024x1024 along dim 1: 52 -> 45 us).
    const int64_t out_stride = g.out_strides[0], st = g.red_strides[0], n = g.red_numel;
    parallel_for(0, g.out_numel, grain, [&](int64_t o0, int64_t o1) {
#ifdef FASTGRAD_X86
      if constexpr (std::is_same_v<T, float>) {
        if (st == 1 && n <= kChunk && vector_level() >= 1)
          return short_row_sums_avx2(in + o0 * out_stride, out_stride, n, o1 - o0, out + o0,
                                     divisor);
      }
#endif
      for (int64_t o = o0; o < o1; ++o) out[o] = finish(run_sum(in + o * out_stride, st, n));
    });
    return;
  }
  parallel_for(0, g.out_numel, grain, [&](int64_t o0, int64_t o1) {
    for (int64_t o = o0; o < o1; ++o) {
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

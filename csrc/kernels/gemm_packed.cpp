// Packed GEMM. Loop structure (BLIS): for each NC-wide panel of B and KC-deep slice of K, pack
// that slice of B into NR-wide column strips; then for each MC-tall block of A (split across
// threads) pack it into MR-tall row strips and run the MR x NR micro-kernel over every strip
// pair. Packing makes the micro-kernel's loads contiguous whatever the operands' strides (so
// transposed views cost nothing extra), and the blocks are sized for the caches: a KC x NR strip
// of B in L1, an MC x KC block of A in L2, a KC x NC panel of B in L3.
//
// Every element of C is accumulated by one thread in a fixed order of k (KC slices in order),
// so results do not depend on the number of threads.
#include "kernels/gemm_packed.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "kernels/cpu.h"
#include "kernels/parallel.h"

namespace fastgrad::kernels {

namespace {

template <typename T>
struct Blocking;
template <>
struct Blocking<float> {
  static constexpr int64_t MR = 6, NR = 16, KC = 256, MC = 120, NC = 2048;
};
template <>
struct Blocking<double> {
  static constexpr int64_t MR = 6, NR = 8, KC = 256, MC = 96, NC = 1024;
};

struct AlignedFree {
  void operator()(void* p) const { std::free(p); }
};
template <typename T>
std::unique_ptr<T, AlignedFree> aligned_buffer(int64_t n) {
  size_t bytes = (static_cast<size_t>(n) * sizeof(T) + 63) / 64 * 64;
  return std::unique_ptr<T, AlignedFree>(static_cast<T*>(std::aligned_alloc(64, bytes)));
}

// Packs a (mc x kc) block of A into strips of MR rows: strip s holds, for each k, MR values.
// Rows past mc are zero so the micro-kernel never needs a row edge case on the A side.
template <typename T>
void pack_a(int64_t mc, int64_t kc, const T* a, int64_t sa0, int64_t sa1, T* out) {
  constexpr int64_t MR = Blocking<T>::MR;
  for (int64_t i0 = 0; i0 < mc; i0 += MR) {
    const int64_t rows = std::min(MR, mc - i0);
    for (int64_t k = 0; k < kc; ++k) {
      for (int64_t r = 0; r < rows; ++r) out[r] = a[(i0 + r) * sa0 + k * sa1];
      for (int64_t r = rows; r < MR; ++r) out[r] = T(0);
      out += MR;
    }
  }
}

// Packs a (kc x nc) block of B into strips of NR columns, zero-padded past nc.
template <typename T>
void pack_b(int64_t kc, int64_t nc, const T* b, int64_t sb0, int64_t sb1, T* out) {
  constexpr int64_t NR = Blocking<T>::NR;
  for (int64_t j0 = 0; j0 < nc; j0 += NR) {
    const int64_t cols = std::min(NR, nc - j0);
    for (int64_t k = 0; k < kc; ++k) {
      const T* row = b + k * sb0 + j0 * sb1;
      if (sb1 == 1) {
        std::memcpy(out, row, static_cast<size_t>(cols) * sizeof(T));
      } else {
        for (int64_t j = 0; j < cols; ++j) out[j] = row[j * sb1];
      }
      for (int64_t j = cols; j < NR; ++j) out[j] = T(0);
      out += NR;
    }
  }
}

// Portable micro-kernel: acc (MR x NR) = sum_k a[k] (MR) outer b[k] (NR).
template <typename T>
void micro_scalar(int64_t kc, const T* a, const T* b, T* acc) {
  constexpr int64_t MR = Blocking<T>::MR, NR = Blocking<T>::NR;
  T tile[MR * NR] = {};
  for (int64_t k = 0; k < kc; ++k) {
    for (int64_t r = 0; r < MR; ++r) {
      const T av = a[k * MR + r];
      for (int64_t j = 0; j < NR; ++j) tile[r * NR + j] += av * b[k * NR + j];
    }
  }
  std::memcpy(acc, tile, sizeof(tile));
}

#ifdef FASTGRAD_X86
// 6 x 16 floats: 12 ymm accumulators, two ymm of B and one broadcast of A per k. The
// accumulators are separate named variables: held in an array, GCC spills them every iteration.
#define FG_ROW(T, R, BC, FMA)       \
  {                                 \
    const T av = BC(a + k * 6 + R); \
    c##R##0 = FMA(av, b0, c##R##0); \
    c##R##1 = FMA(av, b1, c##R##1); \
  }

__attribute__((target("avx2,fma"))) void micro_avx2_f32(int64_t kc, const float* a, const float* b,
                                                        float* acc) {
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
         c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  for (int64_t k = 0; k < kc; ++k) {
    const __m256 b0 = _mm256_load_ps(b + k * 16);
    const __m256 b1 = _mm256_load_ps(b + k * 16 + 8);
    FG_ROW(__m256, 0, _mm256_broadcast_ss, _mm256_fmadd_ps)
    FG_ROW(__m256, 1, _mm256_broadcast_ss, _mm256_fmadd_ps)
    FG_ROW(__m256, 2, _mm256_broadcast_ss, _mm256_fmadd_ps)
    FG_ROW(__m256, 3, _mm256_broadcast_ss, _mm256_fmadd_ps)
    FG_ROW(__m256, 4, _mm256_broadcast_ss, _mm256_fmadd_ps)
    FG_ROW(__m256, 5, _mm256_broadcast_ss, _mm256_fmadd_ps)
  }
  _mm256_storeu_ps(acc + 0, c00);
  _mm256_storeu_ps(acc + 8, c01);
  _mm256_storeu_ps(acc + 16, c10);
  _mm256_storeu_ps(acc + 24, c11);
  _mm256_storeu_ps(acc + 32, c20);
  _mm256_storeu_ps(acc + 40, c21);
  _mm256_storeu_ps(acc + 48, c30);
  _mm256_storeu_ps(acc + 56, c31);
  _mm256_storeu_ps(acc + 64, c40);
  _mm256_storeu_ps(acc + 72, c41);
  _mm256_storeu_ps(acc + 80, c50);
  _mm256_storeu_ps(acc + 88, c51);
}

// 6 x 8 doubles, same shape of computation.
__attribute__((target("avx2,fma"))) void micro_avx2_f64(int64_t kc, const double* a,
                                                        const double* b, double* acc) {
  __m256d c00 = _mm256_setzero_pd(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
          c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  for (int64_t k = 0; k < kc; ++k) {
    const __m256d b0 = _mm256_load_pd(b + k * 8);
    const __m256d b1 = _mm256_load_pd(b + k * 8 + 4);
    FG_ROW(__m256d, 0, _mm256_broadcast_sd, _mm256_fmadd_pd)
    FG_ROW(__m256d, 1, _mm256_broadcast_sd, _mm256_fmadd_pd)
    FG_ROW(__m256d, 2, _mm256_broadcast_sd, _mm256_fmadd_pd)
    FG_ROW(__m256d, 3, _mm256_broadcast_sd, _mm256_fmadd_pd)
    FG_ROW(__m256d, 4, _mm256_broadcast_sd, _mm256_fmadd_pd)
    FG_ROW(__m256d, 5, _mm256_broadcast_sd, _mm256_fmadd_pd)
  }
  _mm256_storeu_pd(acc + 0, c00);
  _mm256_storeu_pd(acc + 4, c01);
  _mm256_storeu_pd(acc + 8, c10);
  _mm256_storeu_pd(acc + 12, c11);
  _mm256_storeu_pd(acc + 16, c20);
  _mm256_storeu_pd(acc + 20, c21);
  _mm256_storeu_pd(acc + 24, c30);
  _mm256_storeu_pd(acc + 28, c31);
  _mm256_storeu_pd(acc + 32, c40);
  _mm256_storeu_pd(acc + 36, c41);
  _mm256_storeu_pd(acc + 40, c50);
  _mm256_storeu_pd(acc + 44, c51);
}
#undef FG_ROW
#endif

const bool kHasAvx2 = cpu_has_avx2_fma();

template <typename T>
inline void prefetch(const T* p) {
  __builtin_prefetch(p, 1, 3);
}

template <typename T>
using MicroKernel = void (*)(int64_t, const T*, const T*, T*);

template <typename T>
MicroKernel<T> pick_kernel() {
#ifdef FASTGRAD_X86
  if (kHasAvx2) {
    if constexpr (std::is_same_v<T, float>)
      return micro_avx2_f32;
    else
      return micro_avx2_f64;
  }
#endif
  return micro_scalar<T>;
}

template <typename T>
void gemm_packed(int64_t M, int64_t N, int64_t K, const T* a, int64_t sa0, int64_t sa1, const T* b,
                 int64_t sb0, int64_t sb1, T* c, int64_t ldc) {
  using B = Blocking<T>;
  constexpr int64_t MR = B::MR, NR = B::NR, KC = B::KC, MC = B::MC, NC = B::NC;
  if (M == 0 || N == 0) return;
  if (K == 0) {
    for (int64_t i = 0; i < M; ++i) std::fill(c + i * ldc, c + i * ldc + N, T(0));
    return;
  }
  const MicroKernel<T> micro = pick_kernel<T>();
  const int64_t nc_max = std::min(NC, (N + NR - 1) / NR * NR);
  auto bpack = aligned_buffer<T>(KC * nc_max);
  // Threads split the M blocks: pick the block height so the blocks divide evenly among the
  // threads (never taller than MC). Small problems stay on one thread. The split changes only
  // which thread computes a row, never the order of its sums.
  const int64_t threads = max_threads();
  const bool parallel = M * N * K >= (int64_t{1} << 18) && threads > 1;
  int64_t mc_block = MC;
  if (parallel) {
    const int64_t blocks = threads * ((M + threads * MC - 1) / (threads * MC));
    mc_block = std::min(MC, ((M + blocks - 1) / blocks + MR - 1) / MR * MR);
  }
  const int64_t m_blocks = (M + mc_block - 1) / mc_block;
  const int64_t grain = parallel ? 1 : m_blocks;

  for (int64_t jc = 0; jc < N; jc += NC) {
    const int64_t nc = std::min(NC, N - jc);
    for (int64_t pc = 0; pc < K; pc += KC) {
      const int64_t kc = std::min(KC, K - pc);
      const bool first = pc == 0;
      // Pack B's strips in parallel too (on small-M products packing is a large share).
      const int64_t strips = (nc + NR - 1) / NR;
      parallel_for(0, strips, parallel ? std::max<int64_t>(1, strips / threads) : strips,
                   [&](int64_t s0, int64_t s1) {
                     const int64_t j0 = s0 * NR, j1 = std::min(nc, s1 * NR);
                     pack_b(kc, j1 - j0, b + pc * sb0 + (jc + j0) * sb1, sb0, sb1,
                            bpack.get() + j0 * kc);
                   });
      parallel_for(0, m_blocks, grain, [&](int64_t b0, int64_t b1) {
        auto apack = aligned_buffer<T>(MC * KC);
        alignas(64) T acc[MR * NR];
        for (int64_t blk = b0; blk < b1; ++blk) {
          const int64_t ic = blk * mc_block;
          const int64_t mc = std::min(mc_block, M - ic);
          pack_a(mc, kc, a + ic * sa0 + pc * sa1, sa0, sa1, apack.get());
          for (int64_t jr = 0; jr < nc; jr += NR) {
            const int64_t cols = std::min(NR, nc - jr);
            const T* bs = bpack.get() + jr * kc;
            for (int64_t ir = 0; ir < mc; ir += MR) {
              const int64_t rows = std::min(MR, mc - ir);
              T* ct = c + (ic + ir) * ldc + jc + jr;
              // Fetch the C tile while the micro-kernel runs: it is read right after, and
              // from L3 or memory each of its rows would otherwise stall.
              for (int64_t r = 0; r < rows; ++r) prefetch(ct + r * ldc);
              micro(kc, apack.get() + ir * kc, bs, acc);
              for (int64_t r = 0; r < rows; ++r) {
                T* crow = ct + r * ldc;
                const T* arow = acc + r * NR;
                if (first) {
                  for (int64_t j = 0; j < cols; ++j) crow[j] = arow[j];
                } else {
                  for (int64_t j = 0; j < cols; ++j) crow[j] += arow[j];
                }
              }
            }
          }
        }
      });
    }
  }
}

}  // namespace

void gemm_packed_f32(int64_t M, int64_t N, int64_t K, const float* a, int64_t sa0, int64_t sa1,
                     const float* b, int64_t sb0, int64_t sb1, float* c, int64_t ldc) {
  gemm_packed(M, N, K, a, sa0, sa1, b, sb0, sb1, c, ldc);
}

void gemm_packed_f64(int64_t M, int64_t N, int64_t K, const double* a, int64_t sa0, int64_t sa1,
                     const double* b, int64_t sb0, int64_t sb1, double* c, int64_t ldc) {
  gemm_packed(M, N, K, a, sa0, sa1, b, sb0, sb1, c, ldc);
}

bool gemm_uses_avx2() { return kHasAvx2; }

}  // namespace fastgrad::kernels

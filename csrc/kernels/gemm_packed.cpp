// Packed GEMM. Loop structure (BLIS): for each NC-wide panel of B and KC-deep slice of K, pack
// that slice of B into NR-wide column strips; then for each MC-tall block of A pack it into
// MR-tall row strips and run the MR x NR micro-kernel over every strip pair. Packing makes the
// micro-kernel's loads contiguous whatever the operands' strides (so transposed views cost
// nothing extra), and the blocks are sized for the caches: a KC x NR strip of B in L1, an
// MC x KC block of A in L2, a KC x NC panel of B in L3. Threads each take one block of a grid
// over C and run that loop on it (choose_grid).
//
// Every element of C is accumulated by one thread in a fixed order of k (K slices in order,
// their size a function of K alone), so results do not depend on the number of threads.
#include "kernels/gemm_packed.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <type_traits>

#include "kernels/cpu.h"
#include "kernels/parallel.h"

namespace fastgrad::kernels {

namespace {

// Every level slices K the same way, so an element of C is the same sum in the same order (and,
// with the FMA kernels, the same bits) whichever micro-kernel computed it.
constexpr int64_t KC = 256;
// The largest micro-tile of any kernel below, for the edge-tile buffer.
constexpr int64_t kMaxTile = 12 * 32;

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
template <typename T, int64_t MR>
void pack_a(int64_t mc, int64_t kc, const T* a, int64_t sa0, int64_t sa1, T* out) {
  for (int64_t i0 = 0; i0 < mc; i0 += MR) {
    const int64_t rows = std::min(MR, mc - i0);
    for (int64_t k = 0; k < kc; ++k) {
      for (int64_t r = 0; r < rows; ++r) out[r] = a[(i0 + r) * sa0 + k * sa1];
      for (int64_t r = rows; r < MR; ++r) out[r] = T(0);
      out += MR;
    }
  }
}

// Packs a (kc x nc) block of B into strips of NR columns, zero-padded past nc. Row by row of
// B, so that B is read in order: strip by strip took a 4 KiB-strided walk per strip, and
// packing was 5% of a 1024^3 product (B in L3).
template <typename T, int64_t NR>
void pack_b(int64_t kc, int64_t nc, const T* b, int64_t sb0, int64_t sb1, T* out) {
  const int64_t full = sb1 == 1 ? nc / NR : 0;  // strips copied with fixed-size moves
  for (int64_t k = 0; k < kc; ++k) {
    const T* row = b + k * sb0;
    T* dst = out + k * NR;
    for (int64_t s = 0; s < full; ++s) {
      // A constant size: a few vector moves. A memcpy call per 64 bytes made packing B
      // 15% of a 256x784 @ 784x1024 product.
      std::memcpy(dst + s * kc * NR, row + s * NR, NR * sizeof(T));
    }
  }
  for (int64_t j0 = full * NR; j0 < nc; j0 += NR) {
    const int64_t cols = std::min(NR, nc - j0);
    T* dst = out + (j0 / NR) * kc * NR;
    for (int64_t k = 0; k < kc; ++k, dst += NR) {
      const T* row = b + k * sb0 + j0 * sb1;
      for (int64_t j = 0; j < cols; ++j) dst[j] = row[j * sb1];
      for (int64_t j = cols; j < NR; ++j) dst[j] = T(0);
    }
  }
}

// A micro-kernel computes the MR x NR tile t = sum_k a[k] (MR) outer b[k] (NR) over one KC
// slice, then c = t (add false) or c = c + t (add true), c with row stride ldc. Adding the
// previous slices' sum to this slice's in one rounding keeps each element's order of sums fixed.

// Portable micro-kernel.
template <typename T, int64_t MR, int64_t NR>
void micro_scalar(int64_t kc, const T* a, const T* b, T* c, int64_t ldc, bool add) {
  T tile[MR * NR] = {};
  for (int64_t k = 0; k < kc; ++k) {
    for (int64_t r = 0; r < MR; ++r) {
      const T av = a[k * MR + r];
      for (int64_t j = 0; j < NR; ++j) tile[r * NR + j] += av * b[k * NR + j];
    }
  }
  for (int64_t r = 0; r < MR; ++r)
    for (int64_t j = 0; j < NR; ++j)
      c[r * ldc + j] = add ? c[r * ldc + j] + tile[r * NR + j] : tile[r * NR + j];
}

#ifdef FASTGRAD_X86
// Each kernel keeps MR x 2 vector accumulators, loads two vectors of B and broadcasts one value
// of A per row and k. The accumulators are separate named variables: held in an array, GCC
// spills them every iteration.
#define FG_ROW(V, R, BC, FMA, MR)        \
  {                                      \
    const V av = BC(a + k * (MR) + (R)); \
    c##R##_0 = FMA(av, b0, c##R##_0);    \
    c##R##_1 = FMA(av, b1, c##R##_1);    \
  }

// Writes (or adds) one accumulator row pair into row R of c.
#define FG_OUT(R, LOAD, STORE, ADD, W)                            \
  if (add) {                                                      \
    STORE(c + R * ldc, ADD(LOAD(c + R * ldc), c##R##_0));         \
    STORE(c + R * ldc + W, ADD(LOAD(c + R * ldc + W), c##R##_1)); \
  } else {                                                        \
    STORE(c + R * ldc, c##R##_0);                                 \
    STORE(c + R * ldc + W, c##R##_1);                             \
  }

#define FG_ROWS6(V, BC, FMA, MR) \
  FG_ROW(V, 0, BC, FMA, MR)      \
  FG_ROW(V, 1, BC, FMA, MR)      \
  FG_ROW(V, 2, BC, FMA, MR)      \
  FG_ROW(V, 3, BC, FMA, MR)      \
  FG_ROW(V, 4, BC, FMA, MR)      \
  FG_ROW(V, 5, BC, FMA, MR)
#define FG_ROWS12(V, BC, FMA) \
  FG_ROWS6(V, BC, FMA, 12)    \
  FG_ROW(V, 6, BC, FMA, 12)   \
  FG_ROW(V, 7, BC, FMA, 12)   \
  FG_ROW(V, 8, BC, FMA, 12)   \
  FG_ROW(V, 9, BC, FMA, 12)   \
  FG_ROW(V, 10, BC, FMA, 12)  \
  FG_ROW(V, 11, BC, FMA, 12)
#define FG_OUTS6(LOAD, STORE, ADD, W) \
  FG_OUT(0, LOAD, STORE, ADD, W)      \
  FG_OUT(1, LOAD, STORE, ADD, W)      \
  FG_OUT(2, LOAD, STORE, ADD, W)      \
  FG_OUT(3, LOAD, STORE, ADD, W)      \
  FG_OUT(4, LOAD, STORE, ADD, W)      \
  FG_OUT(5, LOAD, STORE, ADD, W)
#define FG_ACC6(V, ZERO)                                                                       \
  V c0_0 = ZERO, c0_1 = c0_0, c1_0 = c0_0, c1_1 = c0_0, c2_0 = c0_0, c2_1 = c0_0, c3_0 = c0_0, \
    c3_1 = c0_0, c4_0 = c0_0, c4_1 = c0_0, c5_0 = c0_0, c5_1 = c0_0
#define FG_ACC12(V, ZERO)                                                                      \
  FG_ACC6(V, ZERO);                                                                            \
  V c6_0 = c0_0, c6_1 = c0_0, c7_0 = c0_0, c7_1 = c0_0, c8_0 = c0_0, c8_1 = c0_0, c9_0 = c0_0, \
    c9_1 = c0_0, c10_0 = c0_0, c10_1 = c0_0, c11_0 = c0_0, c11_1 = c0_0

// AVX2: 6 x 16 floats or 6 x 8 doubles in 12 ymm accumulators.
__attribute__((target("avx2,fma"))) void micro_avx2(int64_t kc, const float* a, const float* b,
                                                    float* c, int64_t ldc, bool add) {
  FG_ACC6(__m256, _mm256_setzero_ps());
  for (int64_t k = 0; k < kc; ++k) {
    const __m256 b0 = _mm256_load_ps(b + k * 16);
    const __m256 b1 = _mm256_load_ps(b + k * 16 + 8);
    FG_ROWS6(__m256, _mm256_broadcast_ss, _mm256_fmadd_ps, 6)
  }
  FG_OUTS6(_mm256_loadu_ps, _mm256_storeu_ps, _mm256_add_ps, 8)
}

__attribute__((target("avx2,fma"))) void micro_avx2(int64_t kc, const double* a, const double* b,
                                                    double* c, int64_t ldc, bool add) {
  FG_ACC6(__m256d, _mm256_setzero_pd());
  for (int64_t k = 0; k < kc; ++k) {
    const __m256d b0 = _mm256_load_pd(b + k * 8);
    const __m256d b1 = _mm256_load_pd(b + k * 8 + 4);
    FG_ROWS6(__m256d, _mm256_broadcast_sd, _mm256_fmadd_pd, 6)
  }
  FG_OUTS6(_mm256_loadu_pd, _mm256_storeu_pd, _mm256_add_pd, 4)
}

// AVX-512 helpers, overloaded for float and double so that one template serves both.
__attribute__((target("avx512f"))) inline __m512 bcast512(const float* p) {
  return _mm512_set1_ps(*p);
}
__attribute__((target("avx512f"))) inline __m512d bcast512(const double* p) {
  return _mm512_set1_pd(*p);
}
__attribute__((target("avx512f"))) inline __m512 fma512(__m512 a, __m512 b, __m512 c) {
  return _mm512_fmadd_ps(a, b, c);
}
__attribute__((target("avx512f"))) inline __m512d fma512(__m512d a, __m512d b, __m512d c) {
  return _mm512_fmadd_pd(a, b, c);
}
__attribute__((target("avx512f"))) inline __m512 load512(const float* p) {
  return _mm512_load_ps(p);
}
__attribute__((target("avx512f"))) inline __m512d load512(const double* p) {
  return _mm512_load_pd(p);
}
// c = v, or c = c + v.
__attribute__((target("avx512f"))) inline void out512(float* c, __m512 v, bool add) {
  _mm512_storeu_ps(c, add ? _mm512_add_ps(_mm512_loadu_ps(c), v) : v);
}
__attribute__((target("avx512f"))) inline void out512(double* c, __m512d v, bool add) {
  _mm512_storeu_pd(c, add ? _mm512_add_pd(_mm512_loadu_pd(c), v) : v);
}

// AVX-512: 12 x 32 floats or 12 x 16 doubles in 24 of the 32 zmm registers. Per k, 24 FMAs
// against 14 loads, so the two FMA units, not the two load ports, set the pace (6 x 2 zmm
// would be 12 FMAs against 8 loads, and too few independent sums to cover the FMA latency on
// CPUs with two 512-bit units).
#define FG_OUT512(R)                  \
  out512(c + R * ldc, c##R##_0, add); \
  out512(c + R * ldc + W, c##R##_1, add);

template <typename T>
__attribute__((target("avx512f"))) void micro_avx512(int64_t kc, const T* a, const T* b, T* c,
                                                     int64_t ldc, bool add) {
  constexpr int64_t W = 64 / sizeof(T);
  using V = decltype(load512(b));
  FG_ACC12(V, V{});
#pragma GCC unroll 4
  for (int64_t k = 0; k < kc; ++k) {
    const V b0 = load512(b + k * 2 * W);
    const V b1 = load512(b + k * 2 * W + W);
    FG_ROWS12(V, bcast512, fma512)
  }
  FG_OUT512(0)
  FG_OUT512(1)
  FG_OUT512(2)
  FG_OUT512(3)
  FG_OUT512(4)
  FG_OUT512(5)
  FG_OUT512(6)
  FG_OUT512(7)
  FG_OUT512(8)
  FG_OUT512(9)
  FG_OUT512(10)
  FG_OUT512(11)
}
#undef FG_OUT512

// AVX-512 for a bottom edge of exactly R rows (R = 4 or 8) of a full-width tile: M = 256,
// 784 or 1024 leaves 4 rows after whole 12-row tiles, M = 512 or 2048 leaves 8. The 12-row
// kernel would compute padding rows and go through a copy; this one writes the R rows of C
// directly. Each element is the same FMA chain in the same order as in the other kernels.
template <typename T, int R>
__attribute__((target("avx512f"))) void micro_avx512_rows(int64_t kc, const T* a, const T* b, T* c,
                                                          int64_t ldc, bool add) {
  constexpr int64_t W = 64 / sizeof(T);
  using V = decltype(load512(b));
  V acc[2 * R];
#pragma GCC unroll 16
  for (int i = 0; i < 2 * R; ++i) acc[i] = V{};
#pragma GCC unroll 4
  for (int64_t k = 0; k < kc; ++k) {
    const V b0 = load512(b + k * 2 * W);
    const V b1 = load512(b + k * 2 * W + W);
    const T* ak = a + k * 12;  // A is packed 12 rows wide; rows R..11 are padding
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const V ar = bcast512(ak + r);
      acc[2 * r] = fma512(ar, b0, acc[2 * r]);
      acc[2 * r + 1] = fma512(ar, b1, acc[2 * r + 1]);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    out512(c + r * ldc, acc[2 * r], add);
    out512(c + r * ldc + W, acc[2 * r + 1], add);
  }
}

// AVX-512 for narrow products (N up to one vector: a layer with 10 outputs): 12 x 16 floats or
// 12 x 8 doubles, one zmm of B per k. The 12 x 32 tile would spend over two thirds of its
// FMAs on padding columns; here 13 loads feed 12 FMAs, so the load ports set the pace, at
// about 90% of the FMA rate. The same sums in the same order as the other kernels.
template <typename T>
__attribute__((target("avx512f"))) void micro_avx512_narrow(int64_t kc, const T* a, const T* b,
                                                            T* c, int64_t ldc, bool add) {
  constexpr int64_t W = 64 / sizeof(T);
  using V = decltype(load512(b));
  V c0 = V{}, c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0,
    c10 = c0, c11 = c0;
#pragma GCC unroll 4
  for (int64_t k = 0; k < kc; ++k) {
    const V b0 = load512(b + k * W);
    const T* ak = a + k * 12;
    c0 = fma512(bcast512(ak), b0, c0);
    c1 = fma512(bcast512(ak + 1), b0, c1);
    c2 = fma512(bcast512(ak + 2), b0, c2);
    c3 = fma512(bcast512(ak + 3), b0, c3);
    c4 = fma512(bcast512(ak + 4), b0, c4);
    c5 = fma512(bcast512(ak + 5), b0, c5);
    c6 = fma512(bcast512(ak + 6), b0, c6);
    c7 = fma512(bcast512(ak + 7), b0, c7);
    c8 = fma512(bcast512(ak + 8), b0, c8);
    c9 = fma512(bcast512(ak + 9), b0, c9);
    c10 = fma512(bcast512(ak + 10), b0, c10);
    c11 = fma512(bcast512(ak + 11), b0, c11);
  }
  out512(c, c0, add);
  out512(c + ldc, c1, add);
  out512(c + 2 * ldc, c2, add);
  out512(c + 3 * ldc, c3, add);
  out512(c + 4 * ldc, c4, add);
  out512(c + 5 * ldc, c5, add);
  out512(c + 6 * ldc, c6, add);
  out512(c + 7 * ldc, c7, add);
  out512(c + 8 * ldc, c8, add);
  out512(c + 9 * ldc, c9, add);
  out512(c + 10 * ldc, c10, add);
  out512(c + 11 * ldc, c11, add);
}
#undef FG_ACC12
#undef FG_ACC6
#undef FG_OUTS6
#undef FG_ROWS12
#undef FG_ROWS6
#undef FG_OUT
#undef FG_ROW

// pack_a for rows of contiguous k (sa1 == 1, the usual row-major A): each full strip of MR
// rows (6 or 12) is transposed KB k at a time in registers by `Block`, where the element loop
// took 18 us for a 256x256 float A (8.4 us now, hot): 7% of a 256^3 product on one thread, and
// on two threads each packs all of A. The same layout as pack_a, which does strided A and the
// edges.
template <typename T, int64_t MR, int64_t KB, typename Block>
__attribute__((target("avx2"))) void pack_a_rows(int64_t mc, int64_t kc, const T* a, int64_t sa0,
                                                 int64_t sa1, T* out) {
  if (sa1 != 1) return pack_a<T, MR>(mc, kc, a, sa0, sa1, out);
  for (int64_t i0 = 0; i0 < mc; i0 += MR) {
    if (mc - i0 < MR) return pack_a<T, MR>(mc - i0, kc, a + i0 * sa0, sa0, sa1, out);
    const T* p = a + i0 * sa0;
    int64_t k = 0;
    for (; k + KB <= kc; k += KB, out += KB * MR) Block::pack(p + k, sa0, out);
    for (; k < kc; ++k, out += MR)
      for (int64_t r = 0; r < MR; ++r) out[r] = p[r * sa0 + k];
  }
}

// Eight k of six float rows: unpack and shuffle give, in v[k], the six rows in lanes 0-5 (6 and
// 7 are zero).
__attribute__((target("avx2"))) inline void transpose6x8(const float* p, int64_t sa0, __m256 v[8]) {
  const __m256 z = _mm256_setzero_ps();
  const __m256 r0 = _mm256_loadu_ps(p), r1 = _mm256_loadu_ps(p + sa0);
  const __m256 r2 = _mm256_loadu_ps(p + 2 * sa0), r3 = _mm256_loadu_ps(p + 3 * sa0);
  const __m256 r4 = _mm256_loadu_ps(p + 4 * sa0), r5 = _mm256_loadu_ps(p + 5 * sa0);
  const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
  const __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
  const __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  const __m256 u4 = _mm256_shuffle_ps(t4, z, 0x44), u5 = _mm256_shuffle_ps(t4, z, 0xEE);
  const __m256 u6 = _mm256_shuffle_ps(t5, z, 0x44), u7 = _mm256_shuffle_ps(t5, z, 0xEE);
  v[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
  v[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
  v[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
  v[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
  v[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
  v[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
  v[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
  v[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

// Six float rows: each k's eight-lane store leaves two zeros that the next k's store
// overwrites; the last store is masked.
struct Rows6F32 {
  __attribute__((target("avx2"))) static void pack(const float* p, int64_t sa0, float* out) {
    __m256 v[8];
    transpose6x8(p, sa0, v);
    for (int k = 0; k < 7; ++k) _mm256_storeu_ps(out + 6 * k, v[k]);
    const __m256i six = _mm256_setr_epi32(-1, -1, -1, -1, -1, -1, 0, 0);
    _mm256_maskstore_ps(out + 42, six, v[7]);
  }
};

// Twelve float rows as two halves of six, stored in the order that lets each store's two
// spare lanes be overwritten by the next.
struct Rows12F32 {
  __attribute__((target("avx2"))) static void pack(const float* p, int64_t sa0, float* out) {
    __m256 lo[8], hi[8];
    transpose6x8(p, sa0, lo);
    transpose6x8(p + 6 * sa0, sa0, hi);
    for (int k = 0; k < 7; ++k) {
      _mm256_storeu_ps(out + 12 * k, lo[k]);
      _mm256_storeu_ps(out + 12 * k + 6, hi[k]);
    }
    _mm256_storeu_ps(out + 84, lo[7]);
    const __m256i six = _mm256_setr_epi32(-1, -1, -1, -1, -1, -1, 0, 0);
    _mm256_maskstore_ps(out + 90, six, hi[7]);
  }
};

// Four k of six double rows (rows 0-3 as a 4x4 transpose, rows 4-5 in pairs), stored with a
// stride of S doubles per k.
template <int64_t S>
__attribute__((target("avx2"))) inline void pack_rows6_f64(const double* p, int64_t sa0,
                                                           double* out) {
  const __m256d r0 = _mm256_loadu_pd(p), r1 = _mm256_loadu_pd(p + sa0);
  const __m256d r2 = _mm256_loadu_pd(p + 2 * sa0), r3 = _mm256_loadu_pd(p + 3 * sa0);
  const __m256d r4 = _mm256_loadu_pd(p + 4 * sa0), r5 = _mm256_loadu_pd(p + 5 * sa0);
  const __m256d t0 = _mm256_unpacklo_pd(r0, r1), t1 = _mm256_unpackhi_pd(r0, r1);
  const __m256d t2 = _mm256_unpacklo_pd(r2, r3), t3 = _mm256_unpackhi_pd(r2, r3);
  const __m256d t4 = _mm256_unpacklo_pd(r4, r5), t5 = _mm256_unpackhi_pd(r4, r5);
  _mm256_storeu_pd(out, _mm256_permute2f128_pd(t0, t2, 0x20));
  _mm_storeu_pd(out + 4, _mm256_castpd256_pd128(t4));
  _mm256_storeu_pd(out + S, _mm256_permute2f128_pd(t1, t3, 0x20));
  _mm_storeu_pd(out + S + 4, _mm256_castpd256_pd128(t5));
  _mm256_storeu_pd(out + 2 * S, _mm256_permute2f128_pd(t0, t2, 0x31));
  _mm_storeu_pd(out + 2 * S + 4, _mm256_extractf128_pd(t4, 1));
  _mm256_storeu_pd(out + 3 * S, _mm256_permute2f128_pd(t1, t3, 0x31));
  _mm_storeu_pd(out + 3 * S + 4, _mm256_extractf128_pd(t5, 1));
}

struct Rows6F64 {
  __attribute__((target("avx2"))) static void pack(const double* p, int64_t sa0, double* out) {
    pack_rows6_f64<6>(p, sa0, out);
  }
};

struct Rows12F64 {
  __attribute__((target("avx2"))) static void pack(const double* p, int64_t sa0, double* out) {
    pack_rows6_f64<12>(p, sa0, out);
    pack_rows6_f64<12>(p + 6 * sa0, sa0, out + 6);
  }
};
#endif

template <typename T>
inline void prefetch(const T* p) {
  __builtin_prefetch(p, 1, 3);
}

template <typename T>
using MicroKernel = void (*)(int64_t, const T*, const T*, T*, int64_t, bool);
template <typename T>
using Pack = void (*)(int64_t, int64_t, const T*, int64_t, int64_t, T*);

// One level's micro-kernel, its tile (MR x NR) and cache blocks: a KC x NR strip of B in L1,
// an MC x KC block of A in L2, a KC x NC panel of B in L3.
template <typename T>
struct Kernel {
  int64_t mr, nr, mc, nc;
  MicroKernel<T> micro;
  Pack<T> pack_a, pack_b;
  // Full-width tiles of exactly 4 or 8 rows at the bottom edge; null: the edge path.
  MicroKernel<T> rows4 = nullptr, rows8 = nullptr;
};

// The kernel for this level and a product N columns wide.
template <typename T>
const Kernel<T>& kernel_for(int level, int64_t N) {
  constexpr bool f32 = std::is_same_v<T, float>;
  constexpr int64_t nr = f32 ? 16 : 8, mc = f32 ? 120 : 96, nc = f32 ? 2048 : 1024;
  static const Kernel<T> portable{
      6, nr, mc, nc, micro_scalar<T, 6, nr>, pack_a<T, 6>, pack_b<T, nr>};
#ifdef FASTGRAD_X86
  using Rows6 = std::conditional_t<f32, Rows6F32, Rows6F64>;
  using Rows12 = std::conditional_t<f32, Rows12F32, Rows12F64>;
  constexpr int64_t kb = f32 ? 8 : 4;
  // micro_avx2 is overloaded for float and double: the pointer type picks one.
  static const Kernel<T> avx2{6,
                              nr,
                              mc,
                              nc,
                              static_cast<MicroKernel<T>>(micro_avx2),
                              pack_a_rows<T, 6, kb, Rows6>,
                              pack_b<T, nr>};
  static const Kernel<T> avx512{12,
                                2 * nr,
                                mc,
                                nc,
                                micro_avx512<T>,
                                pack_a_rows<T, 12, kb, Rows12>,
                                pack_b<T, 2 * nr>,
                                micro_avx512_rows<T, 4>,
                                micro_avx512_rows<T, 8>};
  static const Kernel<T> avx512_narrow{
      12, nr, mc, nc, micro_avx512_narrow<T>, pack_a_rows<T, 12, kb, Rows12>, pack_b<T, nr>};
  if (level >= 2) return N <= nr ? avx512_narrow : avx512;
  if (level >= 1) return avx2;
#endif
  (void)level;
  (void)N;
  return portable;
}

// Packing buffers, one pair per thread, kept between calls: allocating a fresh B panel
// (up to 2 MB) on every product costs page faults that show on small and medium sizes.
template <typename T>
T* scratch(int which, int64_t n) {
  thread_local std::unique_ptr<T, AlignedFree> buffers[2];
  thread_local int64_t sizes[2] = {0, 0};
  if (sizes[which] < n) {
    buffers[which] = aligned_buffer<T>(n);
    sizes[which] = n;
  }
  return buffers[which].get();
}

// C (M x N) = A (M x K) * B (K x N), on the calling thread.
template <typename T>
void gemm_serial(const Kernel<T>& kern, int64_t M, int64_t N, int64_t K, const T* a, int64_t sa0,
                 int64_t sa1, const T* b, int64_t sb0, int64_t sb1, T* c, int64_t ldc) {
  const int64_t MR = kern.mr, NR = kern.nr, MC = kern.mc, NC = kern.nc;
  T* bpack = scratch<T>(0, KC * std::min(NC, (N + NR - 1) / NR * NR));
  T* apack = scratch<T>(1, MC * KC);
  alignas(64) T acc[kMaxTile];
  // K in equal slices of at most KC: 784 as 4 x 196 rather than 3 x 256 + 16, whose thin last
  // slice costs a full pass over C and the packing for 2% of the work.
  const int64_t kslice = (K + (K + KC - 1) / KC - 1) / ((K + KC - 1) / KC);
  for (int64_t jc = 0; jc < N; jc += NC) {
    const int64_t nc = std::min(NC, N - jc);
    for (int64_t pc = 0; pc < K; pc += kslice) {
      const int64_t kc = std::min(kslice, K - pc);
      const bool first = pc == 0;
      kern.pack_b(kc, nc, b + pc * sb0 + jc * sb1, sb0, sb1, bpack);
      for (int64_t ic = 0; ic < M; ic += MC) {
        const int64_t mc = std::min(MC, M - ic);
        kern.pack_a(mc, kc, a + ic * sa0 + pc * sa1, sa0, sa1, apack);
        for (int64_t jr = 0; jr < nc; jr += NR) {
          const int64_t cols = std::min(NR, nc - jr);
          const T* bs = bpack + jr * kc;
          for (int64_t ir = 0; ir < mc; ir += MR) {
            const int64_t rows = std::min(MR, mc - ir);
            T* ct = c + (ic + ir) * ldc + jc + jr;
            // Fetch the C tile while the micro-kernel runs: it is read at the end, and from
            // L3 or memory each of its rows would otherwise stall.
            for (int64_t r = 0; r < rows; ++r) {
              prefetch(ct + r * ldc);
              prefetch(ct + r * ldc + cols - 1);
            }
            if (rows == MR && cols == NR) {
              kern.micro(kc, apack + ir * kc, bs, ct, ldc, !first);
              continue;
            }
            const MicroKernel<T> edge = cols != NR  ? nullptr
                                        : rows == 4 ? kern.rows4
                                        : rows == 8 ? kern.rows8
                                                    : nullptr;
            if (edge) {
              edge(kc, apack + ir * kc, bs, ct, ldc, !first);
              continue;
            }
            // An edge tile: computed into acc, then the rows and columns that exist.
            kern.micro(kc, apack + ir * kc, bs, acc, NR, false);
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
    }
  }
}

// How threads split C: a tm x tn grid of blocks (tm * tn <= threads), each block computed by
// one thread with the serial GEMM. The grid minimises the largest block (load balance), then
// its perimeter (the A rows and B columns each thread packs). One parallel region per product
// and no barriers inside: on machines with many cores, the wake-ups and barriers of a region per
// K slice cost more than the redundant packing.
struct Grid {
  int64_t tm = 1, tn = 1, bm = 0, bn = 0;
};

Grid choose_grid(int64_t M, int64_t N, int64_t threads, int64_t MR, int64_t NR) {
  Grid best;
  int64_t best_area = -1, best_perimeter = 0;
  for (int64_t tm = 1; tm <= threads; ++tm) {
    const int64_t tn = threads / tm;
    // Block edges in whole micro-tiles, so no thread gets a sliver of a tile.
    const int64_t bm = ((M + tm - 1) / tm + MR - 1) / MR * MR;
    const int64_t bn = ((N + tn - 1) / tn + NR - 1) / NR * NR;
    const int64_t area = std::min(bm, M) * std::min(bn, N), perimeter = bm + bn;
    // Within 2% of the best area, the smaller perimeter wins; ties go to splitting rows.
    const bool clearly_smaller = best_area < 0 || area * 50 < best_area * 49;
    const bool close = area * 50 <= best_area * 51;
    if (clearly_smaller || (close && perimeter < best_perimeter)) {
      best = {(M + bm - 1) / bm, (N + bn - 1) / bn, bm, bn};
      best_area = area;
      best_perimeter = perimeter;
    }
  }
  return best;
}

template <typename T>
void gemm_packed(int64_t M, int64_t N, int64_t K, const T* a, int64_t sa0, int64_t sa1, const T* b,
                 int64_t sb0, int64_t sb1, T* c, int64_t ldc) {
  if (M == 0 || N == 0) return;
  if (K == 0) {
    for (int64_t i = 0; i < M; ++i) std::fill(c + i * ldc, c + i * ldc + N, T(0));
    return;
  }
  const Kernel<T>& kern = kernel_for<T>(vector_level(), N);
  // Small problems stay on one thread. The split changes only which thread computes an
  // element of C, never the order of its sums: results do not depend on the thread count.
  const int64_t threads = max_threads();
  if (M * N * K < (int64_t{1} << 18) || threads < 2 || in_parallel_region())
    return gemm_serial(kern, M, N, K, a, sa0, sa1, b, sb0, sb1, c, ldc);
  const Grid g = choose_grid(M, N, threads, kern.mr, kern.nr);
  parallel_for(0, g.tm * g.tn, 1, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t i0 = (t / g.tn) * g.bm, j0 = (t % g.tn) * g.bn;
      const int64_t m = std::min(g.bm, M - i0), n = std::min(g.bn, N - j0);
      if (m > 0 && n > 0)
        gemm_serial(kern, m, n, K, a + i0 * sa0, sa0, sa1, b + j0 * sb1, sb0, sb1,
                    c + i0 * ldc + j0, ldc);
    }
  });
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

}  // namespace fastgrad::kernels

#include "kernels/vmath.h"

#include <algorithm>
#include <cmath>

#include "kernels/cpu.h"
#include "kernels/math.h"

namespace fastgrad::kernels {

namespace {

#ifdef FASTGRAD_X86
// exp on 8 floats. Inputs are clamped to [-104, 88.8]: below, the result rounds to 0; above,
// it overflows to inf in the final scaling. The 2^n scale is applied as two factors 2^(n/2)
// so that results in the subnormal range are rounded once, like the scalar libm exp.
__attribute__((target("avx2,fma"))) inline __m256 exp8(__m256 x) {
  const __m256 hi = _mm256_set1_ps(88.8f), lo = _mm256_set1_ps(-104.0f);
  // min/max return their second operand when either is NaN: NaN survives the clamp.
  x = _mm256_max_ps(lo, _mm256_min_ps(hi, x));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  // r = x - n ln2, with ln2 split in two so n * ln2_hi is exact.
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  const __m256 r2 = _mm256_mul_ps(r, r);
  p = _mm256_fmadd_ps(p, r2, _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
  // 2^n = 2^n1 * 2^n2 with n1 = floor(n / 2): both factors are normal floats for n in
  // [-150, 129]. (NaN lanes get garbage scales, but p is NaN there.)
  const __m256i ni = _mm256_cvtps_epi32(n);
  const __m256i n1 = _mm256_srai_epi32(ni, 1);
  const __m256i n2 = _mm256_sub_epi32(ni, n1);
  const __m256i bias = _mm256_set1_epi32(127);
  const __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23));
  const __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, bias), 23));
  return _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
}

__attribute__((target("avx2,fma"))) inline __m256 sigmoid8(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 e = exp8(_mm256_sub_ps(_mm256_setzero_ps(), x));
  return _mm256_div_ps(one, _mm256_add_ps(one, e));
}

// f over 8 lanes of the padded buffer: the few elements at the ends of an array go through
// the very same instructions as the rest.
template <typename F>
__attribute__((target("avx2,fma"))) inline void map_padded(const float* x, float* out, int64_t n,
                                                           F f) {
  alignas(32) float buf[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::copy(x, x + n, buf);
  _mm256_store_ps(buf, f(_mm256_load_ps(buf)));
  std::copy(buf, buf + n, out);
}

// Applies f to 8 floats at a time. Streaming (stream.h) writes the 32-byte-aligned middle
// with non-temporal stores straight from the registers.
template <typename F>
__attribute__((target("avx2,fma"))) inline void map8(const float* x, float* out, int64_t n,
                                                     bool streaming, F f) {
  int64_t i = 0;
  if (streaming) {
    const auto misalign = static_cast<int64_t>(reinterpret_cast<uintptr_t>(out) % 32);
    if (misalign % 4 == 0) {
      i = std::min(n, (32 - misalign) % 32 / 4);
      if (i > 0) map_padded(x, out, i, f);
      for (; i + 8 <= n; i += 8) _mm256_stream_ps(out + i, f(_mm256_loadu_ps(x + i)));
      _mm_sfence();
    }
  }
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, f(_mm256_loadu_ps(x + i)));
  if (i < n) map_padded(x + i, out + i, n - i, f);
}

__attribute__((target("avx2,fma"))) void exp_avx2(const float* x, float* out, int64_t n,
                                                  bool streaming) {
  map8(x, out, n, streaming, [](__m256 v) __attribute__((target("avx2,fma"))) { return exp8(v); });
}
__attribute__((target("avx2,fma"))) void sigmoid_avx2(const float* x, float* out, int64_t n,
                                                      bool streaming) {
  map8(x, out, n, streaming,
       [](__m256 v) __attribute__((target("avx2,fma"))) { return sigmoid8(v); });
}

// The same computation on 16 lanes (AVX-512F): the same IEEE operations in the same order
// per lane, so each element's result is bitwise the 8-lane one.
__attribute__((target("avx512f"))) inline __m512 exp16(__m512 x) {
  const __m512 hi = _mm512_set1_ps(88.8f), lo = _mm512_set1_ps(-104.0f);
  x = _mm512_max_ps(lo, _mm512_min_ps(hi, x));
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
  const __m512 r2 = _mm512_mul_ps(r, r);
  p = _mm512_fmadd_ps(p, r2, _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
  // p * 2^n in one instruction. The 8-lane version scales by 2^(n/2) twice: the first product
  // is exact (always a normal number), so both round p * 2^n once, to the same bits,
  // subnormal and overflowing results included.
  return _mm512_scalef_ps(p, n);
}

__attribute__((target("avx512f"))) inline __m512 sigmoid16(__m512 x) {
  const __m512 one = _mm512_set1_ps(1.0f);
  const __m512 e = exp16(_mm512_sub_ps(_mm512_setzero_ps(), x));
  return _mm512_div_ps(one, _mm512_add_ps(one, e));
}

// The 16-lane map8 (same head, middle and tail handling).
template <typename F>
__attribute__((target("avx512f"))) inline void map_padded16(const float* x, float* out, int64_t n,
                                                            F f) {
  alignas(64) float buf[16] = {};
  std::copy(x, x + n, buf);
  _mm512_store_ps(buf, f(_mm512_load_ps(buf)));
  std::copy(buf, buf + n, out);
}

template <typename F>
__attribute__((target("avx512f"))) inline void map16(const float* x, float* out, int64_t n,
                                                     bool streaming, F f) {
  int64_t i = 0;
  if (streaming) {
    const auto misalign = static_cast<int64_t>(reinterpret_cast<uintptr_t>(out) % 64);
    if (misalign % 4 == 0) {
      i = std::min(n, (64 - misalign) % 64 / 4);
      if (i > 0) map_padded16(x, out, i, f);
      for (; i + 16 <= n; i += 16) _mm512_stream_ps(out + i, f(_mm512_loadu_ps(x + i)));
      _mm_sfence();
    }
  }
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(out + i, f(_mm512_loadu_ps(x + i)));
  if (i < n) map_padded16(x + i, out + i, n - i, f);
}

__attribute__((target("avx512f"))) void exp_avx512(const float* x, float* out, int64_t n,
                                                   bool streaming) {
  map16(x, out, n, streaming, [](__m512 v) __attribute__((target("avx512f"))) { return exp16(v); });
}
__attribute__((target("avx512f"))) void sigmoid_avx512(const float* x, float* out, int64_t n,
                                                       bool streaming) {
  map16(x, out, n, streaming,
        [](__m512 v) __attribute__((target("avx512f"))) { return sigmoid16(v); });
}
#endif

}  // namespace

void exp_f32(const float* x, float* out, int64_t n, bool streaming) {
#ifdef FASTGRAD_X86
  const int l = vector_level();
  if (l == 2) return exp_avx512(x, out, n, streaming);
  if (l == 1) return exp_avx2(x, out, n, streaming);
#endif
  for (int64_t i = 0; i < n; ++i) out[i] = std::exp(x[i]);
}

void sigmoid_f32(const float* x, float* out, int64_t n, bool streaming) {
#ifdef FASTGRAD_X86
  const int l = vector_level();
  if (l == 2) return sigmoid_avx512(x, out, n, streaming);
  if (l == 1) return sigmoid_avx2(x, out, n, streaming);
#endif
  for (int64_t i = 0; i < n; ++i) out[i] = sigmoid(x[i]);
}

}  // namespace fastgrad::kernels

#include "kernels/vmath.h"

#include <algorithm>
#include <cmath>

#include "kernels/cpu.h"
#include "kernels/math.h"

namespace fastgrad::kernels {

namespace {

#ifdef FASTGRAD_X86
// Polynomial coefficients, highest degree first: Cephes logf's P(f) and tanhf's P(x^2).
constexpr float kLogP[] = {7.0376836292e-2f,  -1.1514610310e-1f, 1.1676998740e-1f,
                           -1.2420140846e-1f, 1.4249322787e-1f,  -1.6668057665e-1f,
                           2.0000714765e-1f,  -2.4999993993e-1f, 3.3333331174e-1f};
constexpr float kTanhP[] = {-5.70498872745e-3f, 2.06390887954e-2f, -5.37397155531e-2f,
                            1.33314422036e-1f, -3.33332819422e-1f};

// c[0] x^(N-1) + ... + c[N-1] by Horner's rule, one FMA per coefficient.
template <size_t N>
__attribute__((target("avx2,fma"))) inline __m256 horner8(__m256 x, const float (&c)[N]) {
  __m256 p = _mm256_set1_ps(c[0]);
  for (size_t i = 1; i < N; ++i) p = _mm256_fmadd_ps(p, x, _mm256_set1_ps(c[i]));
  return p;
}
template <size_t N>
__attribute__((target("avx512f"))) inline __m512 horner16(__m512 x, const float (&c)[N]) {
  __m512 p = _mm512_set1_ps(c[0]);
  for (size_t i = 1; i < N; ++i) p = _mm512_fmadd_ps(p, x, _mm512_set1_ps(c[i]));
  return p;
}

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

// log on 8 floats (the Cephes logf scheme): x = m 2^e with m in [sqrt(1/2), sqrt(2)), then
// log(x) = f - f^2/2 + f^3 P(f) + e ln2 with f = m - 1, exact by Sterbenz. Subnormal inputs are
// scaled by 2^23 first. Checked against every positive float: within 1 ulp of the correctly
// rounded result (99.4% of them exact); 0 -> -inf, +inf -> inf, negative or NaN -> NaN.
__attribute__((target("avx2,fma"))) inline __m256 log8(__m256 x) {
  const __m256 sub = _mm256_cmp_ps(x, _mm256_set1_ps(1.17549435e-38f), _CMP_LT_OQ);
  const __m256i bits =
      _mm256_castps_si256(_mm256_blendv_ps(x, _mm256_mul_ps(x, _mm256_set1_ps(8388608.0f)), sub));
  __m256i e = _mm256_sub_epi32(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(127));
  __m256 m = _mm256_castsi256_ps(_mm256_or_si256(
      _mm256_and_si256(bits, _mm256_set1_epi32(0x007fffff)), _mm256_set1_epi32(0x3f800000)));
  const __m256 big = _mm256_cmp_ps(m, _mm256_set1_ps(1.41421356f), _CMP_GT_OQ);
  m = _mm256_blendv_ps(m, _mm256_mul_ps(m, _mm256_set1_ps(0.5f)), big);
  e = _mm256_sub_epi32(e, _mm256_castps_si256(big));  // a true mask is -1 as an integer
  const __m256 ef =
      _mm256_add_ps(_mm256_cvtepi32_ps(e), _mm256_and_ps(sub, _mm256_set1_ps(-23.0f)));
  const __m256 f = _mm256_sub_ps(m, _mm256_set1_ps(1.0f));
  const __m256 z = _mm256_mul_ps(f, f);
  const __m256 p = horner8(f, kLogP);
  __m256 y = _mm256_mul_ps(_mm256_mul_ps(p, f), z);
  // e ln2 added in two parts (ln2 = 0.693359375 - 2.12194440e-4, the first exact in e * it).
  y = _mm256_fmadd_ps(ef, _mm256_set1_ps(-2.12194440e-4f), y);
  y = _mm256_fnmadd_ps(_mm256_set1_ps(0.5f), z, y);
  __m256 r = _mm256_fmadd_ps(ef, _mm256_set1_ps(0.693359375f), _mm256_add_ps(f, y));
  const __m256 zero = _mm256_setzero_ps();
  r = _mm256_blendv_ps(r, x, _mm256_cmp_ps(x, _mm256_set1_ps(INFINITY), _CMP_EQ_OQ));
  r = _mm256_blendv_ps(r, _mm256_set1_ps(NAN), _mm256_cmp_ps(x, zero, _CMP_NGE_UQ));
  return _mm256_blendv_ps(r, _mm256_set1_ps(-INFINITY), _mm256_cmp_ps(x, zero, _CMP_EQ_OQ));
}

// tanh on 8 floats (Cephes tanhf): x + x^3 P(x^2) for |x| < 0.625, else
// sign(x) (1 - 2 / (exp(2|x|) + 1)). Checked against every float: within 1 ulp of the correctly
// rounded result; +-0 and tiny x returned as is, +-inf -> +-1, NaN -> NaN.
__attribute__((target("avx2,fma"))) inline __m256 tanh8(__m256 x) {
  const __m256 sign = _mm256_set1_ps(-0.0f), one = _mm256_set1_ps(1.0f);
  const __m256 ax = _mm256_andnot_ps(sign, x);
  const __m256 z = _mm256_mul_ps(x, x);
  const __m256 p = horner8(z, kTanhP);
  const __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(p, z), x, x);
  const __m256 e = exp8(_mm256_add_ps(ax, ax));
  const __m256 large =
      _mm256_sub_ps(one, _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_add_ps(e, one)));
  const __m256 r =
      _mm256_blendv_ps(large, small, _mm256_cmp_ps(ax, _mm256_set1_ps(0.625f), _CMP_LT_OQ));
  // x's sign on both branches: `large` is >= 0, and `small` for x = -0.0 is +0.0.
  return _mm256_or_ps(r, _mm256_and_ps(sign, x));
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
__attribute__((target("avx2,fma"))) void log_avx2(const float* x, float* out, int64_t n,
                                                  bool streaming) {
  map8(x, out, n, streaming, [](__m256 v) __attribute__((target("avx2,fma"))) { return log8(v); });
}
__attribute__((target("avx2,fma"))) void tanh_avx2(const float* x, float* out, int64_t n,
                                                   bool streaming) {
  map8(x, out, n, streaming, [](__m256 v) __attribute__((target("avx2,fma"))) { return tanh8(v); });
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

// log8 and tanh8 on 16 lanes: blends become masked moves, the IEEE operations are the same.
__attribute__((target("avx512f"))) inline __m512 log16(__m512 x) {
  // getexp / getmant split x (subnormals included) into the exponent and the mantissa in
  // [1, 2) that log8 takes out of the bits: the same exact values in fewer instructions.
  __m512 m = _mm512_getmant_ps(x, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_zero);
  __m512 ef = _mm512_getexp_ps(x);
  const __mmask16 big = _mm512_cmp_ps_mask(m, _mm512_set1_ps(1.41421356f), _CMP_GT_OQ);
  m = _mm512_mask_mul_ps(m, big, m, _mm512_set1_ps(0.5f));
  ef = _mm512_mask_add_ps(ef, big, ef, _mm512_set1_ps(1.0f));
  const __m512 f = _mm512_sub_ps(m, _mm512_set1_ps(1.0f));
  const __m512 z = _mm512_mul_ps(f, f);
  const __m512 p = horner16(f, kLogP);
  __m512 y = _mm512_mul_ps(_mm512_mul_ps(p, f), z);
  y = _mm512_fmadd_ps(ef, _mm512_set1_ps(-2.12194440e-4f), y);
  y = _mm512_fnmadd_ps(_mm512_set1_ps(0.5f), z, y);
  __m512 r = _mm512_fmadd_ps(ef, _mm512_set1_ps(0.693359375f), _mm512_add_ps(f, y));
  const __m512 zero = _mm512_setzero_ps();
  r = _mm512_mask_mov_ps(r, _mm512_cmp_ps_mask(x, _mm512_set1_ps(INFINITY), _CMP_EQ_OQ), x);
  r = _mm512_mask_mov_ps(r, _mm512_cmp_ps_mask(x, zero, _CMP_NGE_UQ), _mm512_set1_ps(NAN));
  return _mm512_mask_mov_ps(r, _mm512_cmp_ps_mask(x, zero, _CMP_EQ_OQ), _mm512_set1_ps(-INFINITY));
}

__attribute__((target("avx512f"))) inline __m512 tanh16(__m512 x) {
  const __m512i sign = _mm512_set1_epi32(INT32_MIN);
  const __m512 one = _mm512_set1_ps(1.0f);
  const __m512 ax = _mm512_abs_ps(x);
  const __m512 z = _mm512_mul_ps(x, x);
  const __m512 p = horner16(z, kTanhP);
  const __m512 small = _mm512_fmadd_ps(_mm512_mul_ps(p, z), x, x);
  const __m512 e = exp16(_mm512_add_ps(ax, ax));
  const __m512 large =
      _mm512_sub_ps(one, _mm512_div_ps(_mm512_set1_ps(2.0f), _mm512_add_ps(e, one)));
  const __m512 r =
      _mm512_mask_mov_ps(large, _mm512_cmp_ps_mask(ax, _mm512_set1_ps(0.625f), _CMP_LT_OQ), small);
  return _mm512_castsi512_ps(
      _mm512_or_si512(_mm512_castps_si512(r), _mm512_and_si512(sign, _mm512_castps_si512(x))));
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
__attribute__((target("avx512f"))) void log_avx512(const float* x, float* out, int64_t n,
                                                   bool streaming) {
  map16(x, out, n, streaming, [](__m512 v) __attribute__((target("avx512f"))) { return log16(v); });
}
__attribute__((target("avx512f"))) void tanh_avx512(const float* x, float* out, int64_t n,
                                                    bool streaming) {
  map16(x, out, n, streaming,
        [](__m512 v) __attribute__((target("avx512f"))) { return tanh16(v); });
}
#endif

}  // namespace

namespace {
using VecFn = void (*)(const float*, float*, int64_t, bool);

// The best vector version this CPU allows, or `scalar` element by element.
template <typename F>
void dispatch([[maybe_unused]] VecFn avx512, [[maybe_unused]] VecFn avx2, const float* x,
              float* out, int64_t n, bool streaming, F scalar) {
#ifdef FASTGRAD_X86
  const int l = vector_level();
  if (l == 2) return avx512(x, out, n, streaming);
  if (l == 1) return avx2(x, out, n, streaming);
#endif
  for (int64_t i = 0; i < n; ++i) out[i] = scalar(x[i]);
}
}  // namespace

#ifdef FASTGRAD_X86
#define FG_VEC(name) name##_avx512, name##_avx2
#else
#define FG_VEC(name) nullptr, nullptr
#endif

void exp_f32(const float* x, float* out, int64_t n, bool streaming) {
  dispatch(FG_VEC(exp), x, out, n, streaming, [](float v) { return std::exp(v); });
}
void sigmoid_f32(const float* x, float* out, int64_t n, bool streaming) {
  dispatch(FG_VEC(sigmoid), x, out, n, streaming, [](float v) { return sigmoid(v); });
}
void log_f32(const float* x, float* out, int64_t n, bool streaming) {
  dispatch(FG_VEC(log), x, out, n, streaming, [](float v) { return std::log(v); });
}
void tanh_f32(const float* x, float* out, int64_t n, bool streaming) {
  dispatch(FG_VEC(tanh), x, out, n, streaming, [](float v) { return std::tanh(v); });
}
#undef FG_VEC

}  // namespace fastgrad::kernels

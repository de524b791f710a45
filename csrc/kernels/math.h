#pragma once
// Scalar math used by the elementwise kernels. Numerical choices follow PyTorch's CPU kernels so
// results agree bit for bit where the formulas allow.
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace fastgrad::kernels {

template <typename T>
inline bool is_nan(T x) {
  if constexpr (std::is_floating_point_v<T>)
    return std::isnan(x);
  else
    return false;
}

// 1 / (1 + exp(-x)), PyTorch's formula: exp(-x) overflowing to inf gives exactly 0, and
// exp(-x) underflowing to 0 gives exactly 1, so large |x| never produces NaN.
template <typename T>
inline T sigmoid(T x) {
  return T(1) / (T(1) + std::exp(-x));
}

// relu and clamp propagate NaN like PyTorch (clamp_min(nan, 0) is nan).
template <typename T>
inline T relu(T x) {
  return is_nan(x) ? x : (x > T(0) ? x : T(0));
}

template <typename T>
inline T clamp(T x, T lo, T hi, bool has_lo, bool has_hi) {
  if (is_nan(x)) return x;
  if (has_lo && x < lo) x = lo;
  if (has_hi && x > hi) x = hi;
  return x;
}

template <typename T>
inline T maximum(T a, T b) {
  if (is_nan(a)) return a;
  if (is_nan(b)) return b;
  return a > b ? a : b;
}
template <typename T>
inline T minimum(T a, T b) {
  if (is_nan(a)) return a;
  if (is_nan(b)) return b;
  return a < b ? a : b;
}

// Integer power by squaring; negative exponents are rejected by the op before we get here.
inline int64_t ipow(int64_t base, int64_t exp) {
  int64_t result = 1;
  while (exp) {
    if (exp & 1) result *= base;
    exp >>= 1;
    base *= base;
  }
  return result;
}

template <typename T>
inline T power(T base, T exp) {
  if constexpr (std::is_same_v<T, int64_t>)
    return ipow(base, exp);
  else if constexpr (std::is_same_v<T, bool>)
    return base || !exp;
  else
    return std::pow(base, exp);
}

// Python-style floor division is not needed: `/` is always true division here.
template <typename T>
inline T divide(T a, T b) {
  return a / b;
}

}  // namespace fastgrad::kernels

#pragma once
// Elementwise kernels: out[i] = op(a[i]) and out[i] = op(a[i], b[i]) over a Geometry.
// The contiguous inner run gets a plain indexed loop the compiler vectorises (compiled twice:
// for the baseline and for AVX2); broadcast (stride 0) and strided runs take the general path.
#include <cstdint>
#include <type_traits>

#include "kernels/cpu.h"
#include "kernels/loop.h"
#include "kernels/parallel.h"
#include "kernels/stream.h"

namespace fastgrad::kernels {

// The contiguous loops every elementwise kernel ends in. `op` is taken by value: its captures
// (add's alpha, clamp's bounds) are then locals that no store to `o` can change, so the loop
// vectorises well (by reference, the baseline sub of 1M floats took 1.5x the time of add).

// o[i] = op(x[i]) for i < m.
template <typename R, typename T, typename Op>
inline void map1(R* o, const T* x, int64_t m, Op op) {
  for (int64_t i = 0; i < m; ++i) o[i] = op(x[i]);
}

// o[i] = op(x[i], y[i]) for i < m; XS / YS: x / y is one value, not an array.
template <bool XS, bool YS, typename R, typename T, typename Op>
inline void map2(R* o, const T* x, const T* y, int64_t m, Op op) {
  const T xv = XS ? *x : T{}, yv = YS ? *y : T{};
  for (int64_t i = 0; i < m; ++i) o[i] = op(XS ? xv : x[i], YS ? yv : y[i]);
}

#ifdef FASTGRAD_X86
// The same loops compiled for AVX2, chosen at run time (vector_level) when the data are
// floating point. The package is built for baseline x86-64 (16-byte SSE2); the AVX2 loops take
// 0.85-0.92 of its time for a 1M float add, 0.54-0.62 for a relu, a division or a
// float-to-double copy (docs/performance.md). Without FMA, so `x + alpha * y` still rounds
// twice: the results are the baseline loops', bit for bit.
template <typename R, typename T, typename Op>
__attribute__((target("avx2"))) void map1_avx2(R* o, const T* x, int64_t m, Op op) {
  for (int64_t i = 0; i < m; ++i) o[i] = op(x[i]);
}

template <bool XS, bool YS, typename R, typename T, typename Op>
__attribute__((target("avx2"))) void map2_avx2(R* o, const T* x, const T* y, int64_t m, Op op) {
  const T xv = XS ? *x : T{}, yv = YS ? *y : T{};
  for (int64_t i = 0; i < m; ++i) o[i] = op(XS ? xv : x[i], YS ? yv : y[i]);
}

template <typename R, typename T>
bool use_avx2() {
  return (std::is_floating_point_v<R> || std::is_floating_point_v<T>) && vector_level() >= 1;
}
#endif

template <typename R, typename T, typename Op>
void map1_any(R* o, const T* x, int64_t m, const Op& op) {
#ifdef FASTGRAD_X86
  if (use_avx2<R, T>()) return map1_avx2(o, x, m, op);
#endif
  map1(o, x, m, op);
}

template <bool XS, bool YS, typename R, typename T, typename Op>
void map2_any(R* o, const T* x, const T* y, int64_t m, const Op& op) {
#ifdef FASTGRAD_X86
  if (use_avx2<R, T>()) return map2_avx2<XS, YS>(o, x, y, m, op);
#endif
  map2<XS, YS>(o, x, y, m, op);
}

template <typename R, typename T, typename Op>
void unary_kernel(const Geometry& g, R* out, const T* a, const Op& op) {
  // One contiguous run larger than the cache: stream the result (stream.h).
  if (g.sizes.size() == 1 && g.strides[0][0] == sizeof(R) && g.strides[1][0] == sizeof(T) &&
      g.numel * static_cast<int64_t>(sizeof(R) + sizeof(T)) >= streaming_threshold()) {
    parallel_for(0, g.numel, kGrainSize, [&](int64_t begin, int64_t end) {
      streamed(out, begin, end,
               [&](int64_t i0, int64_t i1, R* tmp) { map1_any(tmp, a + i0, i1 - i0, op); });
    });
    return;
  }
  std::array<char*, kMaxOperands> base{
      reinterpret_cast<char*>(out), reinterpret_cast<char*>(const_cast<T*>(a)), nullptr, nullptr};
  parallel_for(0, g.numel, kGrainSize, [&](int64_t begin, int64_t end) {
    for_each_run(g, base, begin, end, [&](const auto& p, const auto& s, int64_t n) {
      R* o = reinterpret_cast<R*>(p[0]);
      const T* x = reinterpret_cast<const T*>(p[1]);
      if (s[0] == sizeof(R) && s[1] == sizeof(T)) {
        map1_any(o, x, n, op);
      } else {
        for (int64_t i = 0; i < n; ++i)
          *reinterpret_cast<R*>(p[0] + i * s[0]) = op(*reinterpret_cast<const T*>(p[1] + i * s[1]));
      }
    });
  });
}

template <typename R, typename T, typename Op>
void binary_kernel(const Geometry& g, R* out, const T* a, const T* b, const Op& op) {
  std::array<char*, kMaxOperands> base{reinterpret_cast<char*>(out),
                                       reinterpret_cast<char*>(const_cast<T*>(a)),
                                       reinterpret_cast<char*>(const_cast<T*>(b)), nullptr};
  parallel_for(0, g.numel, kGrainSize, [&](int64_t begin, int64_t end) {
    for_each_run(g, base, begin, end, [&](const auto& p, const auto& s, int64_t n) {
      R* o = reinterpret_cast<R*>(p[0]);
      const T* x = reinterpret_cast<const T*>(p[1]);
      const T* y = reinterpret_cast<const T*>(p[2]);
      if (s[0] == sizeof(R) && s[1] == sizeof(T) && s[2] == sizeof(T)) {
        map2_any<false, false>(o, x, y, n, op);
      } else if (s[0] == sizeof(R) && s[1] == sizeof(T) && s[2] == 0) {
        map2_any<false, true>(o, x, y, n, op);
      } else if (s[0] == sizeof(R) && s[1] == 0 && s[2] == sizeof(T)) {
        map2_any<true, false>(o, x, y, n, op);
      } else {
        for (int64_t i = 0; i < n; ++i)
          *reinterpret_cast<R*>(p[0] + i * s[0]) = op(*reinterpret_cast<const T*>(p[1] + i * s[1]),
                                                      *reinterpret_cast<const T*>(p[2] + i * s[2]));
      }
    });
  });
}

// The common case without any geometry: contiguous operands that are each a full array or a
// single value (a 0-dim tensor or a Python number). Saves building a Geometry per op, which
// matters for small tensors.
template <typename R, typename T, typename Op>
void binary_kernel_flat(int64_t n, R* out, const T* a, bool a_one, const T* b, bool b_one,
                        const Op& op) {
  // Elements [i0, i1) into o[0, i1 - i0).
  auto run = [&](R* o, int64_t i0, int64_t i1) {
    const int64_t m = i1 - i0;
    const T* x = a_one ? a : a + i0;
    const T* y = b_one ? b : b + i0;
    if (!a_one && !b_one) {
      map2_any<false, false>(o, x, y, m, op);
    } else if (!a_one) {
      map2_any<false, true>(o, x, y, m, op);
    } else if (!b_one) {
      map2_any<true, false>(o, x, y, m, op);
    } else {
      const R v = op(*x, *y);
      for (int64_t i = 0; i < m; ++i) o[i] = v;
    }
  };
  const auto bytes =
      static_cast<int64_t>(sizeof(R) + (a_one ? 0 : sizeof(T)) + (b_one ? 0 : sizeof(T)));
  if (n > 1 && n * bytes >= streaming_threshold()) {
    // Larger than the cache: blocks are computed into L1 and streamed out (stream.h).
    parallel_for(0, n, kGrainSize, [&](int64_t begin, int64_t end) {
      streamed(out, begin, end, [&](int64_t i0, int64_t i1, R* tmp) { run(tmp, i0, i1); });
    });
    return;
  }
  parallel_for(0, n, kGrainSize, [&](int64_t i0, int64_t i1) { run(out + i0, i0, i1); });
}

// out[i] = cond[i] ? a[i] : b[i] (torch.where).
template <typename T>
void where_kernel(const Geometry& g, T* out, const bool* cond, const T* a, const T* b) {
  std::array<char*, kMaxOperands> base{
      reinterpret_cast<char*>(out), reinterpret_cast<char*>(const_cast<bool*>(cond)),
      reinterpret_cast<char*>(const_cast<T*>(a)), reinterpret_cast<char*>(const_cast<T*>(b))};
  parallel_for(0, g.numel, kGrainSize, [&](int64_t begin, int64_t end) {
    for_each_run(g, base, begin, end, [&](const auto& p, const auto& s, int64_t n) {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<T*>(p[0] + i * s[0]) = *reinterpret_cast<const bool*>(p[1] + i * s[1])
                                                     ? *reinterpret_cast<const T*>(p[2] + i * s[2])
                                                     : *reinterpret_cast<const T*>(p[3] + i * s[3]);
    });
  });
}

}  // namespace fastgrad::kernels

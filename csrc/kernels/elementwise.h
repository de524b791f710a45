#pragma once
// Elementwise kernels: out[i] = op(a[i]) and out[i] = op(a[i], b[i]) over a Geometry.
// The contiguous inner run gets a plain indexed loop the compiler vectorises; broadcast
// (stride 0) and strided runs take the general path.
#include <cstdint>

#include "kernels/loop.h"
#include "kernels/parallel.h"
#include "kernels/stream.h"

namespace fastgrad::kernels {

template <typename R, typename T, typename Op>
void unary_kernel(const Geometry& g, R* out, const T* a, const Op& op) {
  // One contiguous run larger than the cache: stream the result (stream.h).
  if (g.sizes.size() == 1 && g.strides[0][0] == sizeof(R) && g.strides[1][0] == sizeof(T) &&
      g.numel * static_cast<int64_t>(sizeof(R) + sizeof(T)) >= streaming_threshold()) {
    parallel_for(0, g.numel, kGrainSize, [&](int64_t begin, int64_t end) {
      streamed(out, begin, end, [&](int64_t i0, int64_t i1, R* tmp) {
        const T* x = a + i0;
        for (int64_t i = 0; i < i1 - i0; ++i) tmp[i] = op(x[i]);
      });
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
        for (int64_t i = 0; i < n; ++i) o[i] = op(x[i]);
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
        for (int64_t i = 0; i < n; ++i) o[i] = op(x[i], y[i]);
      } else if (s[0] == sizeof(R) && s[1] == sizeof(T) && s[2] == 0) {
        const T yv = *y;
        for (int64_t i = 0; i < n; ++i) o[i] = op(x[i], yv);
      } else if (s[0] == sizeof(R) && s[1] == 0 && s[2] == sizeof(T)) {
        const T xv = *x;
        for (int64_t i = 0; i < n; ++i) o[i] = op(xv, y[i]);
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
      for (int64_t i = 0; i < m; ++i) o[i] = op(x[i], y[i]);
    } else if (!a_one) {
      const T yv = *y;
      for (int64_t i = 0; i < m; ++i) o[i] = op(x[i], yv);
    } else if (!b_one) {
      const T xv = *x;
      for (int64_t i = 0; i < m; ++i) o[i] = op(xv, y[i]);
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

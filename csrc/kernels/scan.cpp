#include "kernels/scan.h"

#include <vector>

#include "fastgrad/errors.h"
#include "kernels/parallel.h"

namespace fastgrad::kernels {

namespace {

template <typename F>
void for_each_line(const LineGeometry& g, const F& f) {
  const int64_t lines = g.outer * g.inner;
  parallel_for(0, lines, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, g.len)),
               [&](int64_t l0, int64_t l1) {
                 for (int64_t l = l0; l < l1; ++l) {
                   const int64_t o = l / g.inner, i = l % g.inner;
                   // input offset of the line's first element; output is (outer, len, inner)
                   f(o * g.so + i * g.si, o * g.len * g.inner + i);
                 }
               });
}

template <typename T>
using acc_t = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;

}  // namespace

void cumsum_kernel(ScalarType type, const LineGeometry& g, const void* in, void* out,
                   bool reverse) {
  FG_DISPATCH_NUMERIC(type, "cumsum", [&] {
    const scalar_t* x = static_cast<const scalar_t*>(in);
    scalar_t* y = static_cast<scalar_t*>(out);
    for_each_line(g, [&](int64_t src, int64_t dst) {
      acc_t<scalar_t> s = 0;
      for (int64_t k = 0; k < g.len; ++k) {
        const int64_t kk = reverse ? g.len - 1 - k : k;
        s += x[src + kk * g.sl];
        y[dst + kk * g.inner] = static_cast<scalar_t>(s);
      }
    });
  });
}

void prod_kernel(ScalarType type, const LineGeometry& g, const void* in, void* out) {
  FG_DISPATCH_NUMERIC(type, "prod", [&] {
    const scalar_t* x = static_cast<const scalar_t*>(in);
    scalar_t* y = static_cast<scalar_t*>(out);
    // out is (outer, inner): one product per line.
    const int64_t lines = g.outer * g.inner;
    parallel_for(0, lines, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, g.len)),
                 [&](int64_t l0, int64_t l1) {
                   for (int64_t l = l0; l < l1; ++l) {
                     const int64_t o = l / g.inner, i = l % g.inner;
                     acc_t<scalar_t> p = 1;
                     for (int64_t k = 0; k < g.len; ++k) p *= x[o * g.so + i * g.si + k * g.sl];
                     y[l] = static_cast<scalar_t>(p);
                   }
                 });
  });
}

void prod_others_kernel(ScalarType type, const LineGeometry& g, const void* in, void* out) {
  FG_DISPATCH_NUMERIC(type, "prod_backward", [&] {
    const scalar_t* x = static_cast<const scalar_t*>(in);
    scalar_t* y = static_cast<scalar_t*>(out);
    for_each_line(g, [&](int64_t src, int64_t dst) {
      // y[k] = prod_{j<k} x[j] * prod_{j>k} x[j]
      acc_t<scalar_t> prefix = 1;
      for (int64_t k = 0; k < g.len; ++k) {
        y[dst + k * g.inner] = static_cast<scalar_t>(prefix);
        prefix *= x[src + k * g.sl];
      }
      acc_t<scalar_t> suffix = 1;
      for (int64_t k = g.len - 1; k >= 0; --k) {
        y[dst + k * g.inner] = static_cast<scalar_t>(y[dst + k * g.inner] * suffix);
        suffix *= x[src + k * g.sl];
      }
    });
  });
}

}  // namespace fastgrad::kernels

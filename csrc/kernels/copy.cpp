#include "kernels/copy.h"

#include "fastgrad/errors.h"
#include "kernels/elementwise.h"

namespace fastgrad::kernels {

namespace {
template <typename D, typename S>
D convert(S v) {
  if constexpr (std::is_same_v<D, bool>)
    return v != S(0);
  else
    return static_cast<D>(v);
}
}  // namespace

void copy_cast(const Geometry& g, void* dst, ScalarType dst_type, const void* src,
               ScalarType src_type) {
  FG_DISPATCH_ALL(dst_type, "copy", [&] {
    using D = scalar_t;
    FG_DISPATCH_ALL(src_type, "copy", [&] {
      using S = scalar_t;
      unary_kernel(g, static_cast<D*>(dst), static_cast<const S*>(src),
                   [](S v) { return convert<D>(v); });
    });
  });
}

void fill(const Geometry& g, void* dst, ScalarType type, const Scalar& value) {
  FG_DISPATCH_ALL(type, "fill", [&] {
    const scalar_t v = value.to<scalar_t>();
    std::array<char*, kMaxOperands> base{static_cast<char*>(dst), nullptr, nullptr, nullptr};
    parallel_for(0, g.numel, kGrainSize, [&](int64_t begin, int64_t end) {
      for_each_run(g, base, begin, end, [&](const auto& p, const auto& s, int64_t n) {
        if (s[0] == sizeof(scalar_t)) {
          scalar_t* o = reinterpret_cast<scalar_t*>(p[0]);
          for (int64_t i = 0; i < n; ++i) o[i] = v;
        } else {
          for (int64_t i = 0; i < n; ++i) *reinterpret_cast<scalar_t*>(p[0] + i * s[0]) = v;
        }
      });
    });
  });
}

}  // namespace fastgrad::kernels

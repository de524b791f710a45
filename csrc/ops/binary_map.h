#pragma once
// The driver every broadcasting binary op uses: promote, broadcast, run the kernel.
#include "kernels/elementwise.h"
#include "ops/common.h"

namespace fastgrad::detail {

// out[i] = f(a[i], b[i]) with both operands converted to `compute`; the result has dtype
// `compute`, or bool when BoolOut. A defined `out` (of the broadcast shape and result dtype)
// receives the result instead of a new tensor: that is how in-place ops run.
template <bool BoolOut, bool AllowBool = true, typename F>
Tensor binary_map(const Tensor& a, const Tensor& b, ScalarType compute, const char* name,
                  const F& f, Tensor out = Tensor()) {
  Shape shape = broadcast_shapes(a.sizes(), b.sizes(), name);
  Tensor ca = a, cb = b;
  if (a.dtype() != compute || b.dtype() != compute) {
    NoGradGuard no_grad;
    ca = maybe_cast(a, compute);
    cb = maybe_cast(b, compute);
  }
  if (!out.defined()) out = make_empty(shape, BoolOut ? ScalarType::Bool : compute);
  kernels::Geometry g = elementwise_geometry(out, {&ca, &cb});
  auto run = [&](auto tag) {
    using T = decltype(tag);
    using R = std::conditional_t<BoolOut, bool, T>;
    kernels::binary_kernel(g, out.data<R>(), ca.data<T>(), cb.data<T>(),
                           [&](T x, T y) { return static_cast<R>(f(x, y)); });
  };
  switch (compute) {
    case ScalarType::Bool:
      if constexpr (AllowBool)
        run(bool{});
      else
        throw Error(detail::cat("\"", name, "\" not implemented for 'Bool'"));
      break;
    case ScalarType::Int64: run(int64_t{}); break;
    case ScalarType::Float32: run(float{}); break;
    case ScalarType::Float64: run(double{}); break;
  }
  return out;
}

}  // namespace fastgrad::detail

#pragma once
// The driver every broadcasting binary op uses: promote, broadcast, run the kernel.
#include "kernels/elementwise.h"
#include "ops/common.h"

namespace fastgrad::detail {

// PyTorch's alpha_check for add/sub: alpha must be representable in the result dtype.
inline void alpha_check(ScalarType dtype, const Scalar& alpha) {
  if (alpha.type() == ScalarType::Bool && dtype != ScalarType::Bool)
    throw Error("Boolean alpha only supported for Boolean results.");
  if (!is_floating(dtype) && alpha.is_floating())
    throw Error("For integral input tensors, argument alpha must not be a floating point number.");
}

// A Scalar converted up front to every kernel type. Calling Scalar::to<T>() per element
// branches on the Scalar's kind inside the loop, which kept such loops (sub, add with alpha,
// add_) from vectorising: 3.7x slower than plain add on 1M floats.
struct ScalarAs {
  double d;
  int64_t i;
  bool b;
  explicit ScalarAs(const Scalar& s) : d(s.to_double()), i(s.to_int()), b(s.to<bool>()) {}
  template <typename T>
  T get() const {
    if constexpr (std::is_same_v<T, bool>)
      return b;
    else if constexpr (std::is_integral_v<T>)
      return static_cast<T>(i);
    else
      return static_cast<T>(d);
  }
};

// out[i] = f(a[i], b[i]) with both operands converted to `compute`; the result has dtype
// `compute`, or bool when BoolOut. A defined `out` (of the broadcast shape and result dtype)
// receives the result instead of a new tensor: that is how in-place ops run.
template <bool BoolOut, bool AllowBool = true, typename F>
Tensor binary_map(const Tensor& a, const Tensor& b, ScalarType compute, const char* name,
                  const F& f, Tensor out = Tensor()) {
  Shape shape = a.sizes() == b.sizes() ? a.sizes() : broadcast_shapes(a.sizes(), b.sizes(), name);
  Tensor ca = a, cb = b;
  if (a.dtype() != compute || b.dtype() != compute) {
    NoGradGuard no_grad;
    ca = maybe_cast(a, compute);
    cb = maybe_cast(b, compute);
  }
  if (!out.defined()) out = make_empty(shape, BoolOut ? ScalarType::Bool : compute);
  // Fast path: every operand contiguous and either full-size or a single element.
  const int64_t n = out.numel();
  auto flat = [&](const Tensor& t) {
    return t.is_contiguous() && (t.numel() == 1 || t.sizes() == out.sizes());
  };
  const bool simple = out.is_contiguous() && flat(ca) && flat(cb);
  auto run = [&](auto tag) {
    using T = decltype(tag);
    using R = std::conditional_t<BoolOut, bool, T>;
    auto op = [&](T x, T y) { return static_cast<R>(f(x, y)); };
    if (simple) {
      kernels::binary_kernel_flat(n, out.data<R>(), ca.data<T>(), ca.numel() == 1 && n != 1,
                                  cb.data<T>(), cb.numel() == 1 && n != 1, op);
    } else {
      kernels::binary_kernel(elementwise_geometry(out, {&ca, &cb}), out.data<R>(), ca.data<T>(),
                             cb.data<T>(), op);
    }
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

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

// The value of a wrapped Python number (0-dim, int64/float64/bool) converted to T as
// to_dtype would convert it.
template <typename T>
T wrapped_value(const Tensor& t) {
  switch (t.dtype()) {
    case ScalarType::Bool: return static_cast<T>(*t.data<bool>());
    case ScalarType::Int64: return static_cast<T>(*t.data<int64_t>());
    case ScalarType::Float32: return static_cast<T>(*t.data<float>());
    case ScalarType::Float64: return static_cast<T>(*t.data<double>());
  }
  return T{};
}

// out[i] = f(a[i], b[i]) with both operands converted to `compute`; the result has dtype
// `compute`, or bool when BoolOut. A defined `out` (of the broadcast shape and result dtype)
// receives the result instead of a new tensor: that is how in-place ops run.
template <bool BoolOut, bool AllowBool = true, typename F>
Tensor binary_map(const Tensor& a, const Tensor& b, ScalarType compute, const char* name,
                  const F& f, Tensor out = Tensor()) {
  Shape shape = a.sizes() == b.sizes() ? a.sizes() : broadcast_shapes(a.sizes(), b.sizes(), name);
  // A Python number of another dtype (x * 2 on floats) is converted into a stack value in
  // `run`; other operands of another dtype are cast into a new tensor.
  const bool a_number = a.dtype() != compute && a.impl()->is_wrapped_number();
  const bool b_number = b.dtype() != compute && b.impl()->is_wrapped_number();
  Tensor ca = a, cb = b;
  if ((a.dtype() != compute && !a_number) || (b.dtype() != compute && !b_number)) {
    NoGradGuard no_grad;
    if (!a_number) ca = maybe_cast(a, compute);
    if (!b_number) cb = maybe_cast(b, compute);
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
    const T av = a_number ? wrapped_value<T>(ca) : T{};
    const T bv = b_number ? wrapped_value<T>(cb) : T{};
    const T* pa = a_number ? &av : ca.data<T>();
    const T* pb = b_number ? &bv : cb.data<T>();
    if (simple) {
      kernels::binary_kernel_flat(n, out.data<R>(), pa, ca.numel() == 1 && n != 1, pb,
                                  cb.numel() == 1 && n != 1, op);
    } else {
      // A broadcast 0-dim operand has stride 0 everywhere: the geometry reads no further.
      kernels::binary_kernel(elementwise_geometry(out, {&ca, &cb}), out.data<R>(), pa, pb, op);
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

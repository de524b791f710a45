// Factory functions.
#include <cmath>
#include <mutex>
#include <random>

#include "kernels/copy.h"
#include "ops/common.h"

namespace fastgrad {

using detail::make_empty;

Tensor empty(const Shape& shape, ScalarType dtype) { return make_empty(shape, dtype); }

Tensor zeros(const Shape& shape, ScalarType dtype) {
  return Tensor(detail::make_pooled<TensorImpl>(dtype, shape, /*zero=*/true));
}

Tensor full(const Shape& shape, const Scalar& value, ScalarType dtype) {
  Tensor t = make_empty(shape, dtype);
  if (t.numel() == 1) {
    // One element (each backward's seed gradient): the geometry costs more than the store.
    FG_DISPATCH_ALL(dtype, "full", [&] { *t.data<scalar_t>() = value.to<scalar_t>(); });
    return t;
  }
  kernels::fill(detail::elementwise_geometry(t, {}), t.data_ptr(), dtype, value);
  return t;
}

Tensor ones(const Shape& shape, ScalarType dtype) { return full(shape, Scalar(int64_t{1}), dtype); }

Tensor empty_like(const Tensor& t, std::optional<ScalarType> dtype) {
  return empty(t.sizes(), dtype.value_or(t.dtype()));
}
Tensor zeros_like(const Tensor& t, std::optional<ScalarType> dtype) {
  return zeros(t.sizes(), dtype.value_or(t.dtype()));
}
Tensor ones_like(const Tensor& t, std::optional<ScalarType> dtype) {
  return ones(t.sizes(), dtype.value_or(t.dtype()));
}
Tensor full_like(const Tensor& t, const Scalar& value, std::optional<ScalarType> dtype) {
  return full(t.sizes(), value, dtype.value_or(t.dtype()));
}

Tensor scalar_tensor(const Scalar& value, ScalarType dtype) {
  Tensor t = make_empty({}, dtype);
  FG_DISPATCH_ALL(dtype, "scalar_tensor", [&] { *t.data<scalar_t>() = value.to<scalar_t>(); });
  return t;
}

Tensor wrapped_scalar(const Scalar& value) {
  Tensor t = scalar_tensor(value, value.type());
  t.impl()->set_wrapped_number(true);
  return t;
}

Tensor tensor(const std::vector<float>& values) {
  Tensor t = make_empty({static_cast<int64_t>(values.size())}, ScalarType::Float32);
  std::copy(values.begin(), values.end(), t.data<float>());
  return t;
}

Tensor tensor(const std::vector<double>& values) {
  Tensor t = make_empty({static_cast<int64_t>(values.size())}, ScalarType::Float64);
  std::copy(values.begin(), values.end(), t.data<double>());
  return t;
}

Tensor tensor(const std::vector<float>& values, const Shape& shape) {
  return tensor(values).view(shape);
}

Tensor tensor(const std::vector<double>& values, const Shape& shape) {
  return tensor(values).view(shape);
}

Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step,
              std::optional<ScalarType> dtype) {
  const bool floating = start.is_floating() || end.is_floating() || step.is_floating();
  ScalarType dt = dtype.value_or(floating ? default_dtype() : ScalarType::Int64);
  const double s = start.to_double(), e = end.to_double(), st = step.to_double();
  if (st == 0) throw Error("step must be nonzero");
  if (!std::isfinite(s) || !std::isfinite(e))
    throw Error(detail::cat("unsupported range: ", s, " -> ", e));
  if ((st > 0 && e < s) || (st < 0 && e > s))
    throw Error("upper bound and larger bound inconsistent with step sign");
  const int64_t n = static_cast<int64_t>(std::ceil((e - s) / st));
  Tensor t = make_empty({n}, dt);
  FG_DISPATCH_ALL(dt, "arange", [&] {
    scalar_t* p = t.data<scalar_t>();
    if (floating || is_floating(dt)) {
      for (int64_t i = 0; i < n; ++i) p[i] = static_cast<scalar_t>(s + st * static_cast<double>(i));
    } else {
      const int64_t is = start.to_int(), ist = step.to_int();
      for (int64_t i = 0; i < n; ++i) p[i] = static_cast<scalar_t>(is + ist * i);
    }
  });
  return t;
}

Tensor linspace(double start, double end, int64_t steps, ScalarType dtype) {
  if (steps < 0) throw Error("linspace(): number of steps must be non-negative");
  Tensor t = make_empty({steps}, dtype);
  // Like PyTorch: the first half counts up from start, the second half down from end, so both
  // endpoints are exact.
  const double step = steps > 1 ? (end - start) / static_cast<double>(steps - 1) : 0.0;
  const int64_t half = steps / 2;
  FG_DISPATCH_ALL(dtype, "linspace", [&] {
    scalar_t* p = t.data<scalar_t>();
    for (int64_t i = 0; i < steps; ++i)
      p[i] = static_cast<scalar_t>(steps == 1 ? start
                                   : i < half ? start + step * static_cast<double>(i)
                                              : end - step * static_cast<double>(steps - i - 1));
  });
  return t;
}

namespace {
std::mutex rng_mutex;
std::mt19937_64& generator() {
  static std::mt19937_64 gen(std::random_device{}());
  return gen;
}
}  // namespace

void manual_seed(uint64_t seed) {
  std::lock_guard<std::mutex> lock(rng_mutex);
  generator().seed(seed);
}

Tensor rand(const Shape& shape, ScalarType dtype) {
  if (!is_floating(dtype))
    throw Error(detail::cat("\"check_uniform_bounds\" not implemented for '",
                            scalar_type_name(dtype), "'"));
  Tensor t = make_empty(shape, dtype);
  std::lock_guard<std::mutex> lock(rng_mutex);
  auto& gen = generator();
  FG_DISPATCH_FLOATING(dtype, "rand", [&] {
    scalar_t* p = t.data<scalar_t>();
    // 53 (or 24) random mantissa bits give a uniform value in [0, 1).
    constexpr int bits = std::is_same_v<scalar_t, float> ? 24 : 53;
    for (int64_t i = 0; i < t.numel(); ++i)
      p[i] = static_cast<scalar_t>(static_cast<double>(gen() >> (64 - bits)) /
                                   static_cast<double>(uint64_t{1} << bits));
  });
  return t;
}

Tensor randn(const Shape& shape, ScalarType dtype) {
  if (!is_floating(dtype))
    throw Error(
        detail::cat("\"normal_kernel_cpu\" not implemented for '", scalar_type_name(dtype), "'"));
  Tensor t = make_empty(shape, dtype);
  std::lock_guard<std::mutex> lock(rng_mutex);
  auto& gen = generator();
  FG_DISPATCH_FLOATING(dtype, "randn", [&] {
    scalar_t* p = t.data<scalar_t>();
    // Box-Muller on two uniforms in (0, 1].
    auto uniform = [&] { return (static_cast<double>(gen() >> 11) + 1.0) / 9007199254740992.0; };
    for (int64_t i = 0; i < t.numel(); i += 2) {
      double r = std::sqrt(-2.0 * std::log(uniform()));
      double th = 2.0 * M_PI * uniform();
      p[i] = static_cast<scalar_t>(r * std::cos(th));
      if (i + 1 < t.numel()) p[i + 1] = static_cast<scalar_t>(r * std::sin(th));
    }
  });
  return t;
}

Tensor from_blob(void* data, const Shape& sizes, const Shape& strides, ScalarType dtype,
                 std::shared_ptr<void> owner, size_t storage_nbytes) {
  auto storage = Storage::from_external(data, storage_nbytes, std::move(owner));
  return Tensor(detail::make_pooled<TensorImpl>(std::move(storage), dtype, sizes, strides, 0));
}

}  // namespace fastgrad

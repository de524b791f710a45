// Arithmetic binary ops with broadcasting and PyTorch type promotion, forward beside backward.
#include <optional>

#include "kernels/math.h"
#include "ops/binary_map.h"

namespace fastgrad {

namespace {

std::optional<ScalarType> promote_opt(std::optional<ScalarType> a, ScalarType b) {
  return a ? promote_types(*a, b) : b;
}

// PyTorch's category rule: a 0-dim tensor or a Python number only changes the result dtype
// when it is of a higher category (bool < integer < floating) than the dimensioned operands.
std::optional<ScalarType> combine_categories(std::optional<ScalarType> higher,
                                             std::optional<ScalarType> lower) {
  if (higher && is_floating(*higher)) return higher;
  if ((higher && *higher == ScalarType::Bool) || (lower && is_floating(*lower)))
    return lower ? promote_opt(higher, *lower) : higher;
  if (higher) return higher;
  return lower;
}

}  // namespace

ScalarType result_type(const Tensor& a, const Tensor& b) {
  std::optional<ScalarType> dim_r, zero_r, wrapped_r;
  for (const Tensor* t : {&a, &b}) {
    ScalarType cur = t->dtype();
    if (t->impl()->is_wrapped_number()) {
      if (is_floating(cur)) cur = default_dtype();  // a Python float counts as float32
      wrapped_r = promote_opt(wrapped_r, cur);
    } else if (t->dim() == 0) {
      zero_r = promote_opt(zero_r, cur);
    } else {
      dim_r = promote_opt(dim_r, cur);
    }
  }
  return *combine_categories(dim_r, combine_categories(zero_r, wrapped_r));
}

namespace {

struct AddBackward0 final : Node {
  Scalar alpha = 1;
  std::string name() const override { return "AddBackward0"; }
  TensorList apply(TensorList&& g) override {
    Tensor gb;
    if (needs_input_grad(1))
      gb = alpha.to_double() == 1.0 ? g[0] : mul(g[0], wrapped_scalar(alpha));
    return {needs_input_grad(0) ? g[0] : Tensor(), gb};
  }
};

struct SubBackward0 final : Node {
  Scalar alpha = 1;
  std::string name() const override { return "SubBackward0"; }
  TensorList apply(TensorList&& g) override {
    Tensor gb;
    if (needs_input_grad(1))
      gb = alpha.to_double() == 1.0 ? neg(g[0]) : mul(neg(g[0]), wrapped_scalar(alpha));
    return {needs_input_grad(0) ? g[0] : Tensor(), gb};
  }
};

// Saves `other` only if self needs a gradient and vice versa, like PyTorch.
struct MulBackward0 final : Node {
  int self_idx = -1, other_idx = -1;
  std::string name() const override { return "MulBackward0"; }
  TensorList apply(TensorList&& g) override {
    Tensor ga, gb;
    if (needs_input_grad(0)) ga = mul(g[0], saved(other_idx));
    if (needs_input_grad(1)) gb = mul(g[0], saved(self_idx));
    return {ga, gb};
  }
};

struct DivBackward0 final : Node {
  int self_idx = -1, other_idx = -1;
  std::string name() const override { return "DivBackward0"; }
  TensorList apply(TensorList&& g) override {
    Tensor ga, gb;
    Tensor other = saved(other_idx);
    if (needs_input_grad(0)) ga = div(g[0], other);
    if (needs_input_grad(1)) gb = mul(neg(g[0]), div(div(saved(self_idx), other), other));
    return {ga, gb};
  }
};

// Gradient goes to the larger (smaller) input; ties split it evenly, as in PyTorch.
struct MinMaxBackward final : Node {
  bool is_max = true;
  std::string name() const override { return is_max ? "MaximumBackward0" : "MinimumBackward0"; }
  TensorList apply(TensorList&& g) override {
    Tensor a = saved(0), b = saved(1);
    Tensor wa, wb;
    {
      NoGradGuard no_grad;
      const ScalarType dt = g[0].dtype();
      Tensor half_tie = mul(to_dtype(eq(a, b), dt), wrapped_scalar(0.5));
      wa = add(to_dtype(is_max ? gt(a, b) : lt(a, b), dt), half_tie);
      wb = add(to_dtype(is_max ? lt(a, b) : gt(a, b), dt), half_tie);
    }
    return {needs_input_grad(0) ? mul(g[0], wa) : Tensor(),
            needs_input_grad(1) ? mul(g[0], wb) : Tensor()};
  }
};

// Records a two-input node that may save self and/or other.
template <typename N>
void record_saving(const Tensor& out, const std::shared_ptr<N>& node, const Tensor& a,
                   const Tensor& b, bool save_a, bool save_b) {
  detail::record(out, node, {&a, &b});
  if (save_a) {
    node->self_idx = 0;
    node->save(a);
  }
  if (save_b) {
    node->other_idx = save_a ? 1 : 0;
    node->save(b);
  }
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b, const Scalar& alpha) {
  ScalarType dt = result_type(a, b);
  detail::alpha_check(dt, alpha);
  Tensor out;
  if (alpha.to_double() == 1.0) {
    out = detail::binary_map<false>(a, b, dt, "add", [](auto x, auto y) { return x + y; });
  } else {
    out = detail::binary_map<false>(
        a, b, dt, "add",
        [al = detail::ScalarAs(alpha)](auto x, auto y) { return x + al.get<decltype(y)>() * y; });
  }
  if (autograd::compute_requires_grad({&a, &b})) {
    auto node = make_node<AddBackward0>();
    node->alpha = alpha;
    detail::record(out, node, {&a, &b});
  }
  return out;
}

Tensor sub(const Tensor& a, const Tensor& b, const Scalar& alpha) {
  if (a.dtype() == ScalarType::Bool && b.dtype() == ScalarType::Bool)
    throw Error(
        "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
        "`logical_xor()` operator instead.");
  if (a.dtype() == ScalarType::Bool || b.dtype() == ScalarType::Bool) {
    if (result_type(a, b) == ScalarType::Bool)
      throw Error(
          "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying "
          "to invert a mask, use the `~` or `logical_not()` operator instead.");
  }
  ScalarType dt = result_type(a, b);
  detail::alpha_check(dt, alpha);
  Tensor out = detail::binary_map<false, false>(
      a, b, dt, "sub",
      [al = detail::ScalarAs(alpha)](auto x, auto y) { return x - al.get<decltype(y)>() * y; });
  if (autograd::compute_requires_grad({&a, &b})) {
    auto node = make_node<SubBackward0>();
    node->alpha = alpha;
    detail::record(out, node, {&a, &b});
  }
  return out;
}

namespace {
// other - alpha * self, recorded as PyTorch's rsub (what `1 - x` calls).
struct RsubBackward final : Node {
  Scalar alpha = 1;
  bool scalar_other = true;
  std::string name() const override { return scalar_other ? "RsubBackward1" : "RsubBackward0"; }
  TensorList apply(TensorList&& g) override {
    Tensor gs;
    if (needs_input_grad(0))
      gs = alpha.to_double() == 1.0 ? neg(g[0]) : mul(neg(g[0]), wrapped_scalar(alpha));
    return {gs, needs_input_grad(1) ? g[0] : Tensor()};
  }
};
}  // namespace

Tensor rsub(const Tensor& self, const Tensor& other, const Scalar& alpha) {
  Tensor out;
  {
    NoGradGuard no_grad;
    out = sub(other, self, alpha);
  }
  if (autograd::compute_requires_grad({&self, &other})) {
    auto node = make_node<RsubBackward>();
    node->alpha = alpha;
    node->scalar_other = other.impl()->is_wrapped_number();
    detail::record(out, node, {&self, &other});
  }
  return out;
}

Tensor mul(const Tensor& a, const Tensor& b) {
  ScalarType dt = result_type(a, b);
  Tensor out = detail::binary_map<false>(a, b, dt, "mul", [](auto x, auto y) {
    if constexpr (std::is_same_v<decltype(x), bool>)
      return x && y;
    else
      return x * y;
  });
  if (autograd::compute_requires_grad({&a, &b}))
    record_saving(out, make_node<MulBackward0>(), a, b, b.requires_grad(), a.requires_grad());
  return out;
}

Tensor div(const Tensor& a, const Tensor& b) {
  ScalarType dt = result_type(a, b);
  if (!is_floating(dt)) dt = default_dtype();  // true division
  Tensor out = detail::binary_map<false>(a, b, dt, "div", [](auto x, auto y) { return x / y; });
  if (autograd::compute_requires_grad({&a, &b}))
    record_saving(out, make_node<DivBackward0>(), a, b, b.requires_grad(), true);
  return out;
}

namespace {
Tensor minmax(const Tensor& a, const Tensor& b, bool is_max) {
  ScalarType dt = result_type(a, b);
  Tensor out = detail::binary_map<false>(
      a, b, dt, is_max ? "maximum" : "minimum",
      [=](auto x, auto y) { return is_max ? kernels::maximum(x, y) : kernels::minimum(x, y); });
  if (autograd::compute_requires_grad({&a, &b})) {
    auto node = make_node<MinMaxBackward>();
    node->is_max = is_max;
    detail::record(out, node, {&a, &b});
    node->save(a);
    node->save(b);
  }
  return out;
}
}  // namespace

Tensor maximum(const Tensor& a, const Tensor& b) { return minmax(a, b, true); }
Tensor minimum(const Tensor& a, const Tensor& b) { return minmax(a, b, false); }

// ---- comparisons: bool results, never differentiable

#define FG_COMPARE(NAME, OP)                                                \
  Tensor NAME(const Tensor& a, const Tensor& b) {                           \
    return detail::binary_map<true>(a, b, result_type(a, b), #NAME,         \
                                    [](auto x, auto y) { return x OP y; }); \
  }
FG_COMPARE(gt, >)
FG_COMPARE(lt, <)
FG_COMPARE(ge, >=)
FG_COMPARE(le, <=)
FG_COMPARE(eq, ==)
FG_COMPARE(ne, !=)
#undef FG_COMPARE

// ---- bitwise ops on bool and int64 (logical for bool), never differentiable

namespace {
template <typename F>
Tensor bitwise(const Tensor& a, const Tensor& b, const char* name, const F& f) {
  ScalarType dt = result_type(a, b);
  if (is_floating(dt))
    throw Error(detail::cat("\"", name, "_cpu\" not implemented for '", scalar_type_name(dt), "'"));
  return detail::binary_map<false>(a, b, dt, name, [&](auto x, auto y) {
    using T = decltype(x);
    if constexpr (std::is_floating_point_v<T>)
      return x;  // unreachable: refused above
    else
      return static_cast<T>(f(x, y));
  });
}
}  // namespace

Tensor bitwise_and(const Tensor& a, const Tensor& b) {
  return bitwise(a, b, "bitwise_and", [](auto x, auto y) { return x & y; });
}
Tensor bitwise_or(const Tensor& a, const Tensor& b) {
  return bitwise(a, b, "bitwise_or", [](auto x, auto y) { return x | y; });
}
Tensor bitwise_xor(const Tensor& a, const Tensor& b) {
  return bitwise(a, b, "bitwise_xor", [](auto x, auto y) { return x ^ y; });
}
Tensor bitwise_not(const Tensor& t) {
  if (t.dtype() == ScalarType::Bool) return eq(t, wrapped_scalar(false));
  if (t.dtype() != ScalarType::Int64)
    throw Error(
        detail::cat("\"bitwise_not_cpu\" not implemented for '", scalar_type_name(t.dtype()), "'"));
  return sub(neg(t), wrapped_scalar(int64_t{1}));  // ~x == -x - 1 in two's complement
}

}  // namespace fastgrad

// softmax, log_softmax and logsumexp: shifted by the maximum so large inputs do not overflow.
#include <limits>

#include "ops/common.h"

namespace fastgrad {

namespace {

struct SoftmaxBackward0 final : Node {
  int64_t dim = 0;
  std::string name() const override { return "SoftmaxBackward0"; }
  TensorList apply(TensorList&& g) override {
    Tensor y = saved(0);
    // dx = y * (g - sum(g * y))
    return {mul(y, sub(g[0], sum(mul(g[0], y), {dim}, true)))};
  }
};

struct LogSoftmaxBackward0 final : Node {
  int64_t dim = 0;
  std::string name() const override { return "LogSoftmaxBackward0"; }
  TensorList apply(TensorList&& g) override {
    Tensor y = saved(0);
    // dx = g - exp(y) * sum(g)
    return {sub(g[0], mul(exp(y), sum(g[0], {dim}, true)))};
  }
};

Tensor shifted(const Tensor& t, int64_t dim) {
  if (t.numel() == 0) return t;
  Tensor m = max(t, dim, /*keepdim=*/true).first;
  // Rows that are all -inf would give nan; shift them by 0 instead, as PyTorch does.
  m = where(eq(abs(m), wrapped_scalar(std::numeric_limits<double>::infinity())),
            zeros({}, t.dtype()), m);
  return sub(t, m);
}

ScalarType float_type(const Tensor& t) {
  return is_floating(t.dtype()) ? t.dtype() : default_dtype();
}

}  // namespace

Tensor softmax(const Tensor& t, int64_t dim) {
  const int64_t d = t.dim() ? wrap_dim(dim, t.dim()) : (wrap_dim(dim, 0), 0);
  Tensor out;
  {
    NoGradGuard no_grad;
    Tensor x = t.dim() ? to_dtype(t, float_type(t)) : reshape(to_dtype(t, float_type(t)), {1});
    Tensor e = exp(shifted(x, d));
    out = div(e, sum(e, {d}, true));
    if (!t.dim()) out = reshape(out, {});
  }
  if (autograd::compute_requires_grad({&t})) {
    auto node = make_node<SoftmaxBackward0>();
    node->dim = t.dim() ? d : 0;
    detail::record(out, node, {&t});
    node->save(out, true);
  }
  return out;
}

Tensor log_softmax(const Tensor& t, int64_t dim) {
  const int64_t d = t.dim() ? wrap_dim(dim, t.dim()) : (wrap_dim(dim, 0), 0);
  Tensor out;
  {
    NoGradGuard no_grad;
    Tensor x = t.dim() ? to_dtype(t, float_type(t)) : reshape(to_dtype(t, float_type(t)), {1});
    Tensor s = shifted(x, d);
    out = sub(s, log(sum(exp(s), {d}, true)));
    if (!t.dim()) out = reshape(out, {});
  }
  if (autograd::compute_requires_grad({&t})) {
    auto node = make_node<LogSoftmaxBackward0>();
    node->dim = t.dim() ? d : 0;
    detail::record(out, node, {&t});
    node->save(out, true);
  }
  return out;
}

Tensor logsumexp(const Tensor& t, const std::vector<int64_t>& dims, bool keepdim) {
  // log(sum(exp(x - m))) + m with m the (detached) maximum: exact gradient, no overflow.
  Tensor x = is_floating(t.dtype()) ? t : to_dtype(t, default_dtype());
  Tensor m = x.detach();
  std::vector<int64_t> ds = dims;
  if (ds.empty())
    for (int64_t d = 0; d < x.dim(); ++d) ds.push_back(d);
  for (int64_t d : ds)
    if (x.dim()) m = max(m, d, true).first;
  if (x.numel() == 0) m = zeros(m.sizes(), x.dtype());
  m = where(eq(abs(m), wrapped_scalar(std::numeric_limits<double>::infinity())),
            zeros({}, x.dtype()), m);
  Tensor r = add(log(sum(exp(sub(x, m)), ds, true)), m);
  if (!keepdim && x.dim()) {
    Shape s;
    std::vector<bool> red(x.dim(), false);
    for (int64_t d : ds) red[wrap_dim(d, x.dim())] = true;
    for (int64_t d = 0; d < x.dim(); ++d)
      if (!red[d]) s.push_back(x.sizes()[d]);
    r = reshape(r, s);
  }
  return detail::rename_grad_fn(r, "LogsumexpBackward0");
}

}  // namespace fastgrad

// mm, bmm and matmul (which lowers to them, as PyTorch does), forward beside backward.
#include "kernels/matmul.h"
#include "kernels/parallel.h"
#include "ops/common.h"

namespace fastgrad {

namespace {

const char* short_name(ScalarType t) {
  switch (t) {
    case ScalarType::Bool: return "bool";
    case ScalarType::Int64: return "long int";
    case ScalarType::Float32: return "float";
    case ScalarType::Float64: return "double";
  }
  return "?";
}

void check_same_dtype(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype())
    throw Error(detail::cat("expected m1 and m2 to have the same dtype, but got: ",
                            short_name(a.dtype()), " != ", short_name(b.dtype())));
  if (a.dtype() == ScalarType::Bool) throw Error("\"addmm_impl_cpu_\" not implemented for 'Bool'");
}

struct MmBackward0 final : Node {
  std::string name() const override { return "MmBackward0"; }
  TensorList apply(TensorList&& g) override {
    Tensor ga, gb;
    if (needs_input_grad(0)) ga = mm(g[0], t(saved(1)));
    if (needs_input_grad(1)) gb = mm(t(saved(0)), g[0]);
    return {ga, gb};
  }
};

Tensor bmm(const Tensor& a, const Tensor& b);

struct BmmBackward0 final : Node {
  std::string name() const override { return "BmmBackward0"; }
  TensorList apply(TensorList&& g) override {
    Tensor ga, gb;
    if (needs_input_grad(0)) ga = bmm(g[0], transpose(saved(1), 1, 2));
    if (needs_input_grad(1)) gb = bmm(transpose(saved(0), 1, 2), g[0]);
    return {ga, gb};
  }
};

// a (B,N,K) @ b (B,K,M) -> (B,N,M); operands may be any strided views.
Tensor bmm(const Tensor& a, const Tensor& b) {
  check_same_dtype(a, b);
  const int64_t B = a.sizes()[0], N = a.sizes()[1], K = a.sizes()[2], M = b.sizes()[2];
  if (b.sizes()[0] != B || b.sizes()[1] != K)
    throw Error(detail::cat("Expected size for first two dimensions of batch2 tensor to be: [", B,
                            ", ", K, "] but got: [", b.sizes()[0], ", ", b.sizes()[1], "]."));
  Tensor out = detail::make_empty({B, N, M}, a.dtype());
  const int64_t es = static_cast<int64_t>(element_size(a.dtype()));
  const char* pa = static_cast<const char*>(a.data_ptr());
  const char* pb = static_cast<const char*>(b.data_ptr());
  char* pc = static_cast<char*>(out.data_ptr());
  // Small matrices: one thread per batch entry; large ones parallelise inside gemm instead.
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 16) / std::max<int64_t>(1, N * M * K));
  kernels::parallel_for(0, B, grain, [&](int64_t b0, int64_t b1) {
    for (int64_t i = b0; i < b1; ++i)
      kernels::gemm(a.dtype(), N, M, K, pa + i * a.strides()[0] * es, a.strides()[1],
                    a.strides()[2], pb + i * b.strides()[0] * es, b.strides()[1], b.strides()[2],
                    pc + i * N * M * es, M);
  });
  if (autograd::compute_requires_grad({&a, &b})) {
    auto node = make_node<BmmBackward0>();
    detail::record(out, node, {&a, &b});
    node->save(a);
    node->save(b);
  }
  return out;
}

}  // namespace

Tensor mm(const Tensor& a, const Tensor& b) {
  if (a.dim() != 2) throw Error(detail::cat("self must be a matrix"));
  if (b.dim() != 2) throw Error(detail::cat("mat2 must be a matrix"));
  if (a.sizes()[1] != b.sizes()[0])
    throw Error(detail::cat("mat1 and mat2 shapes cannot be multiplied (", a.sizes()[0], "x",
                            a.sizes()[1], " and ", b.sizes()[0], "x", b.sizes()[1], ")"));
  check_same_dtype(a, b);
  const int64_t N = a.sizes()[0], K = a.sizes()[1], M = b.sizes()[1];
  Tensor out = detail::make_empty({N, M}, a.dtype());
  kernels::gemm(a.dtype(), N, M, K, a.data_ptr(), a.strides()[0], a.strides()[1], b.data_ptr(),
                b.strides()[0], b.strides()[1], out.data_ptr(), M);
  if (autograd::compute_requires_grad({&a, &b})) {
    auto node = make_node<MmBackward0>();
    detail::record(out, node, {&a, &b});
    node->save(a);
    node->save(b);
  }
  return out;
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  const int64_t da = a.dim(), db = b.dim();
  if (da == 0 || db == 0)
    throw Error(detail::cat("both arguments to matmul need to be at least 1D, but they are ", da,
                            "D and ", db, "D"));
  if (da == 1 && db == 1) {
    if (a.sizes()[0] != b.sizes()[0])
      throw Error(detail::cat("inconsistent tensor size, expected tensor [", a.sizes()[0],
                              "] and src [", b.sizes()[0],
                              "] to have the same number of elements, but got ", a.sizes()[0],
                              " and ", b.sizes()[0], " elements respectively"));
    return reshape(mm(unsqueeze(a, 0), unsqueeze(b, 1)), {});
  }
  if (da == 2 && db == 1) {
    if (a.sizes()[1] != b.sizes()[0])
      throw Error(detail::cat("size mismatch, got input (", a.sizes()[0], "), mat (", a.sizes()[0],
                              "x", a.sizes()[1], "), vec (", b.sizes()[0], ")"));
    return squeeze(mm(a, unsqueeze(b, 1)), 1);
  }
  if (da == 1 && db == 2) return squeeze(mm(unsqueeze(a, 0), b), 0);
  if (da == 2 && db == 2) return mm(a, b);

  // Batched: broadcast the batch dims, fold them into one, bmm, unfold.
  Tensor a2 = da == 1 ? unsqueeze(a, 0) : a;
  Tensor b2 = db == 1 ? unsqueeze(b, 1) : b;
  const int64_t n = a2.sizes()[a2.dim() - 2], k = a2.sizes()[a2.dim() - 1];
  const int64_t k2 = b2.sizes()[b2.dim() - 2], m = b2.sizes()[b2.dim() - 1];
  if (k != k2)
    throw Error(detail::cat("Expected size for first two dimensions of batch2 tensor to be: [",
                            "*, ", k, "] but got: [*, ", k2, "]."));
  Shape batch_a(a2.sizes().begin(), a2.sizes().end() - 2);
  Shape batch_b(b2.sizes().begin(), b2.sizes().end() - 2);
  Shape batch = broadcast_shapes(batch_a, batch_b, "matmul");
  const int64_t B = shape_numel(batch);
  Shape ea = batch, eb = batch;
  ea.insert(ea.end(), {n, k});
  eb.insert(eb.end(), {k, m});
  Tensor out = bmm(reshape(expand(a2, ea), {B, n, k}), reshape(expand(b2, eb), {B, k, m}));
  Shape out_shape = batch;
  if (da > 1) out_shape.push_back(n);
  if (db > 1) out_shape.push_back(m);
  return reshape(out, out_shape);
}

}  // namespace fastgrad

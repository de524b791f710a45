#include "kernels/matmul.h"

#include <algorithm>
#include <vector>

#include "fastgrad/errors.h"
#include "kernels/gemm_packed.h"
#include "kernels/parallel.h"

namespace fastgrad::kernels {

namespace {

template <typename T>
void gemm_naive_impl(int64_t M, int64_t N, int64_t K, const T* a, int64_t sa0, int64_t sa1,
                     const T* b, int64_t sb0, int64_t sb1, T* c, int64_t ldc) {
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) {
      T s = 0;
      for (int64_t k = 0; k < K; ++k) s += a[i * sa0 + k * sa1] * b[k * sb0 + j * sb1];
      c[i * ldc + j] = s;
    }
}

// Rows of c are independent, so threads split rows and never write the same element. Within a
// row block, k is blocked so a panel of b stays in cache while the rows sweep over it; the inner
// j loop runs over contiguous b and c and vectorises.
template <typename T>
void gemm_impl(int64_t M, int64_t N, int64_t K, const T* a, int64_t sa0, int64_t sa1, const T* b,
               int64_t sb0, int64_t sb1, T* c, int64_t ldc) {
  std::vector<T> packed;
  if (sb1 != 1 && K > 0 && N > 0) {
    // Make b row-major so the inner loop is unit stride.
    packed.resize(static_cast<size_t>(K * N));
    for (int64_t k = 0; k < K; ++k)
      for (int64_t j = 0; j < N; ++j) packed[k * N + j] = b[k * sb0 + j * sb1];
    b = packed.data();
    sb0 = N;
    sb1 = 1;
  }
  constexpr int64_t kBlockK = 256;
  constexpr int64_t kBlockN = 1024;
  const int64_t work = M * N * std::max<int64_t>(K, 1);
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 16) / std::max<int64_t>(1, N * K));
  auto rows = [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) std::fill(c + i * ldc, c + i * ldc + N, T(0));
    for (int64_t j0 = 0; j0 < N; j0 += kBlockN) {
      const int64_t j1 = std::min(N, j0 + kBlockN);
      for (int64_t k0 = 0; k0 < K; k0 += kBlockK) {
        const int64_t k1 = std::min(K, k0 + kBlockK);
        for (int64_t i = i0; i < i1; ++i) {
          T* crow = c + i * ldc;
          for (int64_t k = k0; k < k1; ++k) {
            const T av = a[i * sa0 + k * sa1];
            const T* brow = b + k * sb0;
            for (int64_t j = j0; j < j1; ++j) crow[j] += av * brow[j];
          }
        }
      }
    }
  };
  if (work < (int64_t{1} << 15))
    rows(0, M);
  else
    parallel_for(0, M, grain, rows);
}

}  // namespace

void gemm(ScalarType type, int64_t M, int64_t N, int64_t K, const void* a, int64_t sa0, int64_t sa1,
          const void* b, int64_t sb0, int64_t sb1, void* c, int64_t ldc) {
  // Floating types go through the packed kernel; int64 (rare) keeps the simple blocked loop.
  if (type == ScalarType::Float32)
    return gemm_packed_f32(M, N, K, static_cast<const float*>(a), sa0, sa1,
                           static_cast<const float*>(b), sb0, sb1, static_cast<float*>(c), ldc);
  if (type == ScalarType::Float64)
    return gemm_packed_f64(M, N, K, static_cast<const double*>(a), sa0, sa1,
                           static_cast<const double*>(b), sb0, sb1, static_cast<double*>(c), ldc);
  FG_DISPATCH_NUMERIC(type, "matmul", [&] {
    gemm_impl(M, N, K, static_cast<const scalar_t*>(a), sa0, sa1, static_cast<const scalar_t*>(b),
              sb0, sb1, static_cast<scalar_t*>(c), ldc);
  });
}

void gemm_naive(ScalarType type, int64_t M, int64_t N, int64_t K, const void* a, int64_t sa0,
                int64_t sa1, const void* b, int64_t sb0, int64_t sb1, void* c, int64_t ldc) {
  FG_DISPATCH_NUMERIC(type, "matmul", [&] {
    gemm_naive_impl(M, N, K, static_cast<const scalar_t*>(a), sa0, sa1,
                    static_cast<const scalar_t*>(b), sb0, sb1, static_cast<scalar_t*>(c), ldc);
  });
}

}  // namespace fastgrad::kernels

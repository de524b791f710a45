#pragma once
// General matrix multiply on strided operands.
#include <cstdint>

#include "fastgrad/dtype.h"

namespace fastgrad::kernels {

// c (M,N) = a (M,K) @ b (K,N). a(i,k) is a[i*sa0 + k*sa1], likewise b; c is row-major with
// leading dimension ldc. Any strides are accepted (transposed views need no copy by the caller).
void gemm(ScalarType type, int64_t M, int64_t N, int64_t K, const void* a, int64_t sa0, int64_t sa1,
          const void* b, int64_t sb0, int64_t sb1, void* c, int64_t ldc);

// The textbook triple loop, kept as the reference the tuned kernel is tested against.
void gemm_naive(ScalarType type, int64_t M, int64_t N, int64_t K, const void* a, int64_t sa0,
                int64_t sa1, const void* b, int64_t sb0, int64_t sb1, void* c, int64_t ldc);

}  // namespace fastgrad::kernels

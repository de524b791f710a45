#pragma once
// Packed, blocked GEMM (the BLIS/GotoBLAS loop structure) with AVX-512 and AVX2/FMA micro-kernels
// chosen at run time (kernels/cpu.h) and a portable scalar micro-kernel for other CPUs.
#include <cstdint>

namespace fastgrad::kernels {

// c (M,N) = a (M,K) @ b (K,N); a(i,k) = a[i*sa0 + k*sa1], b likewise; c row-major, ldc.
void gemm_packed_f32(int64_t M, int64_t N, int64_t K, const float* a, int64_t sa0, int64_t sa1,
                     const float* b, int64_t sb0, int64_t sb1, float* c, int64_t ldc);
void gemm_packed_f64(int64_t M, int64_t N, int64_t K, const double* a, int64_t sa0, int64_t sa1,
                     const double* b, int64_t sb0, int64_t sb1, double* c, int64_t ldc);

}  // namespace fastgrad::kernels

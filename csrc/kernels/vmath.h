#pragma once
// Vectorised float32 transcendental kernels over contiguous arrays: 8 lanes of AVX2/FMA when
// the CPU has them (chosen at run time), the C library's scalar functions otherwise.
//
// The AVX2 exp is a Cody-Waite range reduction plus a degree-6 polynomial (the Cephes
// coefficients, as in PyTorch's Sleef-based kernels' accuracy class): within 1 ulp of the
// correctly rounded result over the whole float range, with exact 0 / inf at the ends and NaN
// passed through. Every element, including an array's ragged tail, goes through the same
// vector code, so a value's result never depends on where it sits in the array or on how the
// work is split between threads.
#include <cstdint>

namespace fastgrad::kernels {

// out[i] = exp(x[i]). streaming: write out with non-temporal stores (see stream.h).
void exp_f32(const float* x, float* out, int64_t n, bool streaming = false);
// out[i] = 1 / (1 + exp(-x[i])), PyTorch's formula (0 and 1 exactly at the far ends).
void sigmoid_f32(const float* x, float* out, int64_t n, bool streaming = false);
// Whether the AVX2 versions are in use on this CPU.
bool vmath_uses_avx2();

}  // namespace fastgrad::kernels

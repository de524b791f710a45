#pragma once
// Vectorised float32 transcendental kernels (exp, sigmoid, log, tanh) over contiguous arrays: 16
// lanes of AVX-512F or 8 of AVX2/FMA, whichever the CPU has (chosen at run time;
// fastgrad::set_vector_isa lowers it), the C library's scalar functions otherwise. Both vector
// versions do the same IEEE operations per lane in the same order, so they give bitwise the same
// results.
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
// out[i] = log(x[i]) and tanh(x[i]): within 1 ulp of the correctly rounded result (checked
// against every float32 input), the special values as the C library's.
void log_f32(const float* x, float* out, int64_t n, bool streaming = false);
void tanh_f32(const float* x, float* out, int64_t n, bool streaming = false);

}  // namespace fastgrad::kernels

#pragma once
// What the CPU we run on can do, detected once at load time. Kernels with hand-written SIMD
// pick their implementation from this, so one binary (built without -march=native) uses
// AVX-512 or AVX2/FMA where present and portable code elsewhere.
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define FASTGRAD_X86 1
#endif

namespace fastgrad::kernels {

// AVX2 and FMA3 both present (Haswell / Zen and later).
bool cpu_has_avx2_fma();
// AVX-512 Foundation (Skylake-SP / Zen 4 and later).
bool cpu_has_avx512f();

// The vector code the kernels use: 0 portable, 1 AVX2 (+FMA), 2 AVX-512F. The best the CPU
// has unless lowered by set_vector_isa (tests compare the levels; results are the same bits).
int vector_level();

}  // namespace fastgrad::kernels

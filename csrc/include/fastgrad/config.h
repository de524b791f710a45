#pragma once
// Build configuration and threading controls.
#include <cstdint>
#include <string>

#include "fastgrad/export.h"

namespace fastgrad {

// Whether the kernels were built with OpenMP.
FASTGRAD_API bool openmp_enabled();
// Threads the kernels may use (torch.get_num_threads / set_num_threads).
FASTGRAD_API int get_num_threads();
FASTGRAD_API void set_num_threads(int n);
// Elementwise ops whose operands and result together span at least this many bytes write the
// result with non-temporal stores, past the caches (it could not stay cached anyway, and
// ordinary stores would first read every line they write). Defaults to half the size of the
// last-level cache. The setter returns the previous value; it is there for tests and for
// timing both paths on one machine.
FASTGRAD_API int64_t streaming_store_threshold();
FASTGRAD_API int64_t set_streaming_store_threshold(int64_t bytes);
// The instruction set of the vectorised kernels: "avx512", "avx2" or "scalar" (float32 exp and
// sigmoid through libm, elementwise loops built for baseline x86-64, sums in portable loops),
// the best the CPU has unless lowered. Every level gives bitwise the same results; the setter
// returns the previous value and is there for tests comparing them.
FASTGRAD_API std::string vector_isa();
FASTGRAD_API std::string set_vector_isa(const std::string& isa);

}  // namespace fastgrad

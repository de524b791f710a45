#pragma once
// Build configuration and threading controls.
#include "fastgrad/export.h"

namespace fastgrad {

// Whether the kernels were built with OpenMP.
FASTGRAD_API bool openmp_enabled();
// Threads the kernels may use (torch.get_num_threads / set_num_threads).
FASTGRAD_API int get_num_threads();
FASTGRAD_API void set_num_threads(int n);

}  // namespace fastgrad

#include "fastgrad/config.h"

#include "fastgrad/errors.h"

#ifdef FASTGRAD_USE_OPENMP
#include <omp.h>
#endif

namespace fastgrad {

bool openmp_enabled() {
#ifdef FASTGRAD_USE_OPENMP
  return true;
#else
  return false;
#endif
}

int get_num_threads() {
#ifdef FASTGRAD_USE_OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

void set_num_threads(int n) {
  if (n <= 0) throw Error("set_num_threads expects a positive integer");
#ifdef FASTGRAD_USE_OPENMP
  omp_set_num_threads(n);
#endif
}

}  // namespace fastgrad

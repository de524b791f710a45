#include "kernels/cpu.h"

namespace fastgrad::kernels {

namespace {
bool detect_avx2_fma() {
#ifdef FASTGRAD_X86
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}
bool detect_avx512f() {
#ifdef FASTGRAD_X86
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f");
#else
  return false;
#endif
}
}  // namespace

bool cpu_has_avx512f() {
  static const bool has = detect_avx512f();
  return has;
}

bool cpu_has_avx2_fma() {
  static const bool has = detect_avx2_fma();
  return has;
}

}  // namespace fastgrad::kernels

#include "kernels/cpu.h"

#include <atomic>
#include <string>

#include "fastgrad/config.h"
#include "fastgrad/errors.h"

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

namespace {

int max_level() {
  if (cpu_has_avx2_fma() && cpu_has_avx512f()) return 2;
  if (cpu_has_avx2_fma()) return 1;
  return 0;
}

std::atomic<int>& level() {
  static std::atomic<int> value{max_level()};
  return value;
}

constexpr const char* kLevelNames[] = {"scalar", "avx2", "avx512"};

}  // namespace

int vector_level() { return level().load(std::memory_order_relaxed); }

}  // namespace fastgrad::kernels

namespace fastgrad {

std::string vector_isa() { return kernels::kLevelNames[kernels::vector_level()]; }

std::string set_vector_isa(const std::string& isa) {
  int wanted = -1;
  for (int l = 0; l < 3; ++l)
    if (isa == kernels::kLevelNames[l]) wanted = l;
  if (wanted < 0)
    throw Error(detail::cat("set_vector_isa: unknown instruction set '", isa,
                            "' (expected 'scalar', 'avx2' or 'avx512')"));
  if (wanted > kernels::max_level())
    throw Error(detail::cat("set_vector_isa: this CPU does not support '", isa, "'"));
  return kernels::kLevelNames[kernels::level().exchange(wanted)];
}

}  // namespace fastgrad

#include "ops/cpu/simd/dispatch.h"

#include <atomic>

namespace infera::simd {
namespace {

SimdLevel detect_level() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
    return SimdLevel::kAvx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return SimdLevel::kAvx2;
  return SimdLevel::kPortable;
}

std::atomic<int>& active_level() {
  static std::atomic<int> level{static_cast<int>(best_supported_simd_level())};
  return level;
}

}  // namespace

SimdLevel best_supported_simd_level() {
  static const SimdLevel best = detect_level();
  return best;
}

SimdLevel simd_level() { return static_cast<SimdLevel>(active_level().load(std::memory_order_relaxed)); }

void force_simd_level_for_testing(SimdLevel level) {
  if (static_cast<int>(level) > static_cast<int>(best_supported_simd_level()))
    level = best_supported_simd_level();
  active_level().store(static_cast<int>(level), std::memory_order_relaxed);
}

const SimdKernels& simd_kernels() {
  switch (simd_level()) {
    case SimdLevel::kAvx512: return simd_kernels_avx512();
    case SimdLevel::kAvx2: return simd_kernels_avx2();
    default: return simd_kernels_portable();
  }
}

}  // namespace infera::simd

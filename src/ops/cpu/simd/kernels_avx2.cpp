// The SimdKernels table for avx2: the shared loops (kernel_table.h) instantiated
// for this instruction set only, by a per-file target pragma (global flags stay baseline).
#include <cmath>
#include <cstdint>

#include "ops/cpu/simd/dispatch.h"

#pragma GCC push_options
#pragma GCC target("avx2,fma")
#include "ops/cpu/simd/vec_avx2.h"
#include "ops/cpu/simd/kernel_table.h"

namespace infera::simd {

const SimdKernels& simd_kernels_avx2() {
  static const SimdKernels table = make_kernel_table<VecAvx2>("avx2");
  return table;
}

}  // namespace infera::simd
#pragma GCC pop_options

// The SimdKernels table for portable: the shared loops (kernel_table.h) instantiated
// in plain C++ for CPUs without AVX2.
#include <cmath>
#include <cstdint>

#include "ops/cpu/simd/dispatch.h"
#include "ops/cpu/simd/vec_portable.h"
#include "ops/cpu/simd/kernel_table.h"

namespace infera::simd {

const SimdKernels& simd_kernels_portable() {
  static const SimdKernels table = make_kernel_table<VecPortable>("portable");
  return table;
}

}  // namespace infera::simd

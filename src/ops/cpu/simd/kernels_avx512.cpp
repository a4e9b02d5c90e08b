// The SimdKernels table for avx512: the shared loops (kernel_table.h) instantiated
// for this instruction set only, by a per-file target pragma (global flags stay baseline).
#include <cmath>
#include <cstdint>

#include "ops/cpu/simd/dispatch.h"

#pragma GCC push_options
// GCC 12's AVX-512 intrinsics (max, min, extract) start from an "undefined" register and warn
// about it when inlined (GCC bug 105593); nothing here reads such a lane.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC target("avx512f,avx512bw,avx512dq,avx512vl,fma")
#include "ops/cpu/simd/vec_avx512.h"
#include "ops/cpu/simd/kernel_table.h"

namespace infera::simd {

const SimdKernels& simd_kernels_avx512() {
  static const SimdKernels table = make_kernel_table<VecAvx512>("avx512");
  return table;
}

}  // namespace infera::simd
#pragma GCC diagnostic pop
#pragma GCC pop_options

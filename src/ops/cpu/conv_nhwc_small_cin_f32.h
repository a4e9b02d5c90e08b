// Which convolutions the channels-last direct kernel for few input channels covers
// (conv_nhwc_small_cin_f32.cpp). The conv_max_pool_fusion rewrite asks too: the op it makes,
// com.infera FusedConvMaxPool, has a fast kernel only for these.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "infera/tensor.h"

namespace infera {

// 2-D, one group, float32 weights [Cout, Cin, kh, kw] with Cin <= 16, Cout a multiple of 16
// (Cin <= 4 in `bf16` sessions: deeper convs gain from oneDNN's bfloat16 kernels), and an
// activation other than SiLU; `pooled` (FusedConvMaxPool): one that never decreases.
bool conv_nhwc_small_cin_covers(const Tensor& weights, int64_t group, const std::string& activation,
                                const std::vector<float>& activation_params, bool pooled,
                                bool bf16);

}  // namespace infera

// Which convolutions the channels-last direct kernel for few input channels covers
// (conv_nhwc_small_cin_f32.cpp). The conv_max_pool_fusion rewrite asks too: the op it makes,
// com.infera FusedConvMaxPool, has a fast kernel only for these.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "infera/tensor.h"

namespace infera {

// 2-D, one group, float32 weights [Cout, Cin, kh, kw] with Cout a multiple of 16 and an
// activation other than SiLU; Cin 1, or with `pooled` (FusedConvMaxPool) Cin <= 16 (<= 4 in
// `bf16` sessions) and an activation that never decreases.
bool conv_nhwc_small_cin_covers(const Tensor& weights, int64_t group, const std::string& activation,
                                const std::vector<float>& activation_params, bool pooled,
                                bool bf16);

}  // namespace infera

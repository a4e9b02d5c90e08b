// com.infera NhwcAveragePool (reference kernel), made by the channels_last_layout rewrite
// (src/opt/channels_last_layout.cpp): ai.onnx AveragePool with X and Y channels-last,
// [N, spatial..., C]. Same attributes as AveragePool.
#include "ops/channels_last.h"

namespace infera {
namespace {

std::unique_ptr<OpKernel> make_nhwc_average_pool(const KernelInit& init) {
  if (init.num_outputs() > 1) init.fail("takes one output (no Indices)");
  return make_channels_last_reference(init, "AveragePool", {0});
}

}  // namespace
static const bool infera_nhwc_average_pool_registered =
    register_op({"com.infera", "NhwcAveragePool", 1, 1000, &make_nhwc_average_pool});
}  // namespace infera

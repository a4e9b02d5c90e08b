// com.infera NhwcMaxPool (reference kernel), made by the channels_last_layout rewrite
// (src/opt/channels_last_layout.cpp): ai.onnx MaxPool with X and Y channels-last,
// [N, spatial..., C]. Same attributes as MaxPool.
#include "ops/channels_last.h"

namespace infera {
namespace {

std::unique_ptr<OpKernel> make_nhwc_max_pool(const KernelInit& init) {
  if (init.num_outputs() > 1) init.fail("takes one output (no Indices)");
  return make_channels_last_reference(init, "MaxPool", {0});
}

}  // namespace
static const bool infera_nhwc_max_pool_registered =
    register_op({"com.infera", "NhwcMaxPool", 1, 1000, &make_nhwc_max_pool});
}  // namespace infera

// 3x3 conv weights into the Winograd domain, in the layouts oneDNN's Winograd convolutions read
// (and the one our own path reads).
//
// oneDNN 2.6's Winograd primitives take their weights pre-transformed (U = G g G^T per 3x3
// kernel, 4x4 or 6x6 values each) and blocked in layouts of their own (dnnl_wino_desc_t). Its
// reorder into them transforms one kernel at a time in scalar code, through a full-size staging
// copy: 60-120 ms of thread time in ResNet-50's session creation for 11 convs, about as much as
// packing every other weight. This computes the same transform for 16 output channels at once,
// straight into the final layout.
//
// Example:
//   dnnl::memory packed(pd.weights_desc(), engine);
//   if (!pack_winograd_weights(oihw_desc, weights, pd.weights_desc(),
//                              static_cast<float*>(packed.get_data_handle()), threads))
//     dnnl::reorder(...)  // a layout this does not know
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

namespace infera::onednn {

// Writes f32 OIHW 3x3 weights `weights` (described by `plain`) into `dst`, laid out as `wanted`,
// on `threads` threads. False, with nothing written, when `wanted` is not a float32 Winograd
// layout this knows (F(2x2, 3x3) aaOio or aaOBiOo, F(4x4, 3x3) OBaaIBOIio; 16-channel blocks
// over unpadded channels) or `plain` is not dense OIHW 3x3 of the same channels.
bool pack_winograd_weights(const dnnl::memory::desc& plain, const float* weights,
                           const dnnl::memory::desc& wanted, float* dst, int threads);

// The F(tile x tile, 3x3) transform (tile 2 or 4) into the layout of our own Winograd path
// (conv_onednn.cpp, simd/winograd_nhwc.h): dst [a * a positions][out_channels / block]
// [in_channels][block], a = tile + 2, each position's slice packed as the pointwise kernel
// reads its weights. out_channels: a multiple of block, block a multiple of 16.
void pack_winograd_blocked(const float* weights, int out_channels, int in_channels, int tile,
                           int block, float* dst, int threads);

}  // namespace infera::onednn

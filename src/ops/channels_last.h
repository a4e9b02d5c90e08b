// Channels-last (NHWC) tensors for the com.infera ops made by the channels_last_layout rewrite
// (src/opt/channels_last_layout.cpp): FusedConv with `channels_last = 1`, NhwcMaxPool,
// NhwcAveragePool and NhwcGlobalAveragePool. Their data inputs and output 0 are [N, spatial...,
// C] instead of [N, C, spatial...]; everything else (weights, attributes) keeps its ONNX meaning.
//
// The reference kernel of each such op is ChannelsLastReferenceKernel: transpose the data
// inputs to channels-first, run the unchanged reference kernel of the channels-first op, and
// transpose its output back. Slow on purpose, and correct by construction: it is the oracle for
// the oneDNN variants, which compute on channels-last memory directly.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "ops/op.h"

namespace infera {

// [N, C, d1, ..., dk] -> [N, d1, ..., dk, C], and back.
Shape channels_last_shape(const Shape& channels_first);
Shape channels_first_shape(const Shape& channels_last);
// Copies `src` into `dst` (same dtype, numeric), moving the channel axis to the end
// (`to_last`) or from the end to axis 1. `dst` must already have the permuted shape.
void transpose_channels(const Tensor& src, Tensor& dst, bool to_last);

class ChannelsLastReferenceKernel final : public OpKernel {
 public:
  // `base` is the channels-first kernel's node: a copy of this node with its ai.onnx op type
  // (or FusedConv without `channels_last`). `layout_inputs` are the inputs that are
  // channels-last tensors (X, and FusedConv's residual Z).
  ChannelsLastReferenceKernel(const KernelInit& init, std::unique_ptr<Node> base,
                              std::vector<int> layout_inputs);

  void infer(InferContext& ctx) const override;
  std::shared_ptr<void> prepare(PrepareContext& ctx) const override;
  void run(RunContext& ctx) const override;

 private:
  bool is_layout_input(int i) const;
  // Scratch for the staged channels-first copies of the layout inputs and of Y (a
  // PrepareContext or a RunContext).
  template <typename Context>
  size_t staged_bytes(Context& ctx) const;

  std::unique_ptr<Node> base_node_;  // base_ refers to it, so its address is fixed
  std::unique_ptr<OpKernel> base_;
  std::vector<int> layout_inputs_;
};

// The reference kernel for a com.infera channels-last node standing for the ai.onnx `base_op`.
std::unique_ptr<OpKernel> make_channels_last_reference(const KernelInit& init,
                                                       const std::string& base_op,
                                                       std::vector<int> layout_inputs);

}  // namespace infera

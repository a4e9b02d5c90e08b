// Gemm(Flatten(Transpose(x, perm = [0, 3, 1, 2]))) with a constant B becomes
// Gemm(Flatten(x)) with B's inputs permuted to match: the channels-last layout pass leaves
// such a Transpose where a CNN's NHWC features meet its classifier (the Fashion-MNIST CNN's
// [N, 7, 7, 32] -> [N, 32, 7, 7] before Flatten and Gemm), and moving every feature once per
// run costs more than the classifier's Gemm. Permuting B's rows once at load removes it.
//
// Flattened NCHW feature c * H * W + h * W + w is NHWC feature (h * W + w) * C + c. Applies
// when the Transpose and the Flatten (axis 1) each have one reader, the Gemm (or FusedGemm)
// reads the flattened features as A without transposing them, B is an initializer and x's
// H, W and C are known. Runs after the channels-last layout pass.
#include <cstring>

#include "opt/rewrite.h"

namespace infera {
namespace {

bool is_nhwc_to_nchw(const Node& node) {
  const Attribute* perm = node.find_attribute("perm");
  return node.op_type == "Transpose" && node.domain.empty() && perm &&
         perm->ints == std::vector<int64_t>{0, 3, 1, 2};
}

bool is_gemm(const Node& node) {
  return (node.op_type == "Gemm" && node.domain.empty()) ||
         (node.op_type == "FusedGemm" && node.domain == "com.infera");
}

// B with its K axis (the flattened features) reordered from NCHW to NHWC order.
Tensor permute_features(const Tensor& b, bool trans_b, int64_t c, int64_t h, int64_t w) {
  Tensor out = Tensor::empty(b.dtype(), b.shape());
  const size_t elem = dtype_size(b.dtype());
  const int64_t k = c * h * w, m = b.numel() / k;
  const char* src = static_cast<const char*>(b.raw());
  char* dst = static_cast<char*>(out.raw());
  for (int64_t ci = 0; ci < c; ++ci)
    for (int64_t p = 0; p < h * w; ++p) {
      const int64_t from = ci * h * w + p, to = p * c + ci;
      for (int64_t j = 0; j < m; ++j) {
        // B is [M, K] with transB, else [K, M].
        const int64_t src_at = trans_b ? j * k + from : from * m + j;
        const int64_t dst_at = trans_b ? j * k + to : to * m + j;
        std::memcpy(dst + dst_at * elem, src + src_at * elem, elem);
      }
    }
  return out;
}

class FlattenTransposeIntoGemmRule final : public RewriteRule {
 public:
  std::string name() const override { return "flatten_transpose_into_gemm"; }

  int apply(Graph& graph, Model& model) override {
    const GraphIndex index(graph);
    std::vector<bool> dead(graph.nodes.size(), false);
    // Shape inference of the whole graph, only once some Transpose has the pattern.
    std::unordered_map<std::string, Shape> shapes;
    bool shapes_known = false;
    int rewrites = 0;
    for (size_t t = 0; t < graph.nodes.size(); ++t) {
      const Node& transpose = graph.nodes[t];
      if (!is_nhwc_to_nchw(transpose) || transpose.outputs.size() != 1) continue;
      const std::string& nchw = transpose.outputs[0];
      if (!index.has_single_consumer(nchw)) continue;
      const int f = index.consumers(nchw)[0];
      Node& flatten = graph.nodes[f];
      if (flatten.op_type != "Flatten" || !flatten.domain.empty() ||
          int_attribute(flatten, "axis", 1) != 1 || !index.has_single_consumer(flatten.outputs[0]))
        continue;
      const int g = index.consumers(flatten.outputs[0])[0];
      Node& gemm = graph.nodes[g];
      if (!is_gemm(gemm) || gemm.inputs.size() < 2 || gemm.inputs[0] != flatten.outputs[0] ||
          int_attribute(gemm, "transA", 0) != 0)
        continue;
      const Tensor* b = index.initializer(gemm.inputs[1]);
      if (!shapes_known) shapes = infer_value_shapes(model, 1), shapes_known = true;
      const auto x_shape = shapes.find(transpose.inputs[0]);
      if (!b || b->rank() != 2 || x_shape == shapes.end() || x_shape->second.size() != 4) continue;
      const int64_t h = x_shape->second[1], w = x_shape->second[2], c = x_shape->second[3];
      const bool trans_b = int_attribute(gemm, "transB", 0) != 0;
      if (b->dim(trans_b ? 1 : 0) != c * h * w) continue;
      // A 1x1 map (after a global pool) has its features in the same order either way.
      if (h * w != 1)
        gemm.inputs[1] = add_initializer(graph, gemm.inputs[1] + "_nhwc",
                                         permute_features(*b, trans_b, c, h, w));
      flatten.inputs[0] = transpose.inputs[0];
      dead[t] = true;
      ++rewrites;
    }
    if (rewrites) erase_nodes(graph, dead);
    return rewrites;
  }
};

}  // namespace

std::unique_ptr<RewriteRule> make_flatten_transpose_into_gemm_rule() {
  return std::make_unique<FlattenTransposeIntoGemmRule>();
}

}  // namespace infera

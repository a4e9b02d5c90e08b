// A Transpose that only feeds a MatMul, or only reads a MatMul's product, folds into it as
// com.infera FusedMatMul's a_perm, b_perm or y_perm: the fast kernel reads A and B and writes Y
// through strides, so the copy never happens. Attention as exporters write it is three of
// these per layer (heads split out of [seq, batch * heads, dim] for Q, K and V, and joined back
// after the second product): the transformer encoder spent 0.25 of its 4.2 ms moving them.
//
// Applies when the Transpose's output has no other reader (nor is a graph output), the perm
// keeps a unit stride in one of the two matrix dims (in the last for Y), and A, B and the
// product have the same rank and the same batch dims (no broadcasting, which strides over a
// permuted operand would not express): then the product's value is unchanged.
#include <numeric>

#include "opt/rewrite.h"

namespace infera {
namespace {

std::vector<int64_t> transpose_perm(const Node& transpose, size_t rank) {
  const Attribute* perm = transpose.find_attribute("perm");
  if (perm) return perm->ints;
  std::vector<int64_t> reversed(rank);
  std::iota(reversed.rbegin(), reversed.rend(), 0);
  return reversed;
}

bool is_matmul(const Node& node) {
  return (node.op_type == "MatMul" && node.domain.empty() && node.inputs.size() == 2) ||
         (node.op_type == "FusedMatMul" && node.domain == "com.infera");
}

class MatMulTransposeFusionRule final : public RewriteRule {
 public:
  std::string name() const override { return "matmul_transpose_fusion"; }

  int apply(Graph& graph, Model& model) override {
    const GraphIndex index(graph);
    std::vector<bool> dead(graph.nodes.size(), false);
    bool shapes_known = false;
    std::unordered_map<std::string, Shape> shapes;
    int rewrites = 0;
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      if (dead[i] || !is_matmul(graph.nodes[i])) continue;
      if (!shapes_known) shapes = infer_value_shapes(model, 1), shapes_known = true;
      Node& matmul = graph.nodes[i];
      if (!same_batch_and_rank(matmul, shapes)) continue;
      const size_t rank = shapes.at(matmul.outputs[0]).size();
      bool changed = false;
      for (int side = 0; side < 2; ++side) {
        const char* attr = side == 0 ? "a_perm" : "b_perm";
        const int p = index.producer(matmul.inputs[side]);
        if (p < 0 || dead[p] || matmul.find_attribute(attr)) continue;
        const Node& transpose = graph.nodes[p];
        if (transpose.op_type != "Transpose" || !transpose.domain.empty() ||
            !index.has_single_consumer(matmul.inputs[side]))
          continue;
        const std::vector<int64_t> perm = transpose_perm(transpose, rank);
        // A unit stride along one of the matrix dims keeps oneDNN on its fast kernels.
        if (perm.size() != rank || (perm[rank - 1] != int64_t(rank) - 1 &&
                                    perm[rank - 2] != int64_t(rank) - 1))
          continue;
        matmul.inputs[side] = transpose.inputs[0];
        matmul.attributes.push_back(ints_attribute(attr, perm));
        dead[p] = true;
        changed = true;
      }
      const std::vector<int>& readers = index.consumers(matmul.outputs[0]);
      if (!matmul.find_attribute("y_perm") && readers.size() == 1 &&
          index.has_single_consumer(matmul.outputs[0]) && !dead[readers[0]]) {
        const Node& transpose = graph.nodes[readers[0]];
        const std::vector<int64_t> perm =
            transpose.op_type == "Transpose" && transpose.domain.empty()
                ? transpose_perm(transpose, rank)
                : std::vector<int64_t>{};
        // Y's last dim stays last: the bias and the product's rows keep a unit stride.
        if (perm.size() == rank && perm[rank - 1] == int64_t(rank) - 1) {
          matmul.outputs[0] = transpose.outputs[0];
          matmul.attributes.push_back(ints_attribute("y_perm", perm));
          dead[readers[0]] = true;
          changed = true;
        }
      }
      if (!changed) continue;
      if (matmul.domain.empty()) {
        matmul.op_type = "FusedMatMul";
        matmul.domain = "com.infera";
      }
      ++rewrites;
    }
    return finish_fusions(model, graph, dead, rewrites);
  }

 private:
  // A, B and the product all of one rank (3 or more) with equal batch dims.
  static bool same_batch_and_rank(const Node& matmul,
                                  const std::unordered_map<std::string, Shape>& shapes) {
    const auto a = shapes.find(matmul.inputs[0]), b = shapes.find(matmul.inputs[1]);
    const auto y = shapes.find(matmul.outputs[0]);
    if (a == shapes.end() || b == shapes.end() || y == shapes.end()) return false;
    const size_t rank = y->second.size();
    if (rank < 3 || a->second.size() != rank || b->second.size() != rank) return false;
    for (size_t d = 0; d + 2 < rank; ++d)
      if (a->second[d] != y->second[d] || b->second[d] != y->second[d]) return false;
    return true;
  }
};

}  // namespace

std::unique_ptr<RewriteRule> make_matmul_transpose_fusion_rule() {
  return std::make_unique<MatMulTransposeFusionRule>();
}

}  // namespace infera

// Tensor-manipulation ops on cases the ONNX backend tests leave out: strings, negative pads,
// wrap mode, reductions, uneven splits. Each node runs twice: once with every input fed at run
// time (data-dependent shapes go the dynamic path) and once with all but the first as
// initializers (shapes known at prepare, outputs planned).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "attribute_builders.h"
#include "runtime/compiled_graph.h"
#include "runtime/executor.h"

namespace infera {
namespace {

using testing::float_attr;
using testing::int_attr;
using testing::ints_attr;
using testing::string_attr;

template <typename T>
Tensor make(DType dtype, Shape shape, std::vector<T> values) {
  Tensor t = Tensor::empty(dtype, std::move(shape));
  EXPECT_EQ(static_cast<int64_t>(values.size()), t.numel());
  for (size_t i = 0; i < values.size(); ++i) t.data<T>()[i] = values[i];
  return t;
}
Tensor f32(Shape s, std::vector<float> v) {
  return make(DType::kFloat32, std::move(s), v);
}
Tensor i64(Shape s, std::vector<int64_t> v) {
  return make(DType::kInt64, std::move(s), v);
}
Tensor str(Shape s, std::vector<std::string> v) {
  return make(DType::kString, std::move(s), v);
}

// Runs one node. Input 0 is always fed; the others become initializers when `known`, so the
// node is not folded away but its shape-giving inputs are known at prepare time.
std::vector<Tensor> run_node(const std::string& op, std::vector<Attribute> attrs,
                             const std::vector<Tensor>& inputs, int num_outputs, bool known,
                             int64_t opset = 17) {
  auto model = std::make_shared<Model>();
  model->opsets.push_back({"", opset});
  auto graph = std::make_shared<Graph>();
  Node node;
  node.op_type = op;
  node.attributes = std::move(attrs);
  std::vector<Value> feeds;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string name = "in" + std::to_string(i);
    node.inputs.push_back(name);
    if (known && i > 0) {
      graph->initializers.push_back({name, inputs[i]});
      continue;
    }
    ValueInfo vi;
    vi.name = name;
    vi.type.kind = TypeInfo::Kind::kTensor;
    vi.type.elem_type = inputs[i].dtype();
    graph->inputs.push_back(vi);
    feeds.emplace_back(inputs[i]);
  }
  for (int i = 0; i < num_outputs; ++i) {
    node.outputs.push_back("out" + std::to_string(i));
    ValueInfo vi;
    vi.name = node.outputs.back();
    graph->outputs.push_back(vi);
  }
  graph->nodes.push_back(node);
  model->graph = graph;
  auto compiled = compile_graph(graph, *model, nullptr);
  auto plan = prepare_plan(compiled, feeds);
  std::vector<Tensor> out;
  for (Value& v : execute_plan(*plan, feeds)) out.push_back(v.tensor);
  return out;
}

template <typename T>
void expect_tensor(const Tensor& got, DType dtype, const Shape& shape, const std::vector<T>& want) {
  ASSERT_EQ(got.dtype(), dtype);
  ASSERT_EQ(shape_to_string(got.shape()), shape_to_string(shape));
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got.data<T>()[i], want[i]) << "at " << i;
}

// String outputs are never arena-planned (the planner makes their nodes dynamic), so these
// run through the planned path too.
constexpr bool kFed = false;

class MovementOps : public ::testing::TestWithParam<bool> {};

TEST(MovementOpsStrings, Concat) {
  auto y = run_node("Concat", {int_attr("axis", 1)},
                    {str({2, 1}, {"a", "b"}), str({2, 2}, {"c", "d", "e", "f"})}, 1, kFed);
  expect_tensor<std::string>(y[0], DType::kString, {2, 3}, {"a", "c", "d", "b", "e", "f"});
}

TEST(MovementOpsStrings, GatherNegativeIndex) {
  auto y = run_node("Gather", {}, {str({3}, {"x", "y", "z"}), i64({2}, {-1, 0})}, 1, kFed);
  expect_tensor<std::string>(y[0], DType::kString, {2}, {"z", "x"});
}

TEST_P(MovementOps, SliceBackwardsPastTheStart) {
  auto y = run_node("Slice", {},
                    {f32({5}, {0, 1, 2, 3, 4}), i64({1}, {10}), i64({1}, {INT64_MIN}),
                     i64({1}, {0}), i64({1}, {-2})},
                    1, GetParam());
  expect_tensor<float>(y[0], DType::kFloat32, {3}, {4, 2, 0});
}

TEST_P(MovementOps, PadNegativeCropsAndReflects) {
  // Row [0 1 2 3]: crop one in front, reflect two at the end.
  auto y = run_node("Pad", {string_attr("mode", "reflect")},
                    {f32({1, 4}, {0, 1, 2, 3}), i64({4}, {0, -1, 0, 2})}, 1, GetParam());
  expect_tensor<float>(y[0], DType::kFloat32, {1, 5}, {1, 2, 3, 2, 1});
}

TEST_P(MovementOps, PadWrapAndEdge) {
  auto wrap = run_node("Pad", {string_attr("mode", "wrap")},
                       {f32({3}, {1, 2, 3}), i64({2}, {2, 1})}, 1, GetParam(), 19);
  expect_tensor<float>(wrap[0], DType::kFloat32, {6}, {2, 3, 1, 2, 3, 1});
  auto edge = run_node("Pad", {string_attr("mode", "edge")}, {f32({2}, {5, 6}), i64({2}, {1, 2})},
                       1, GetParam());
  expect_tensor<float>(edge[0], DType::kFloat32, {5}, {5, 5, 6, 6, 6});
}

TEST_P(MovementOps, PadConstantValueAttributeBeforeOpset11) {
  auto y = run_node("Pad", {ints_attr("pads", {1, 0}), float_attr("value", 9)}, {f32({1}, {7})}, 1,
                    GetParam(), 2);
  expect_tensor<float>(y[0], DType::kFloat32, {2}, {9, 7});
}

TEST_P(MovementOps, SplitUnevenByOutputCount) {
  auto y = run_node("Split", {}, {f32({5}, {0, 1, 2, 3, 4})}, 2, GetParam(), 18);
  expect_tensor<float>(y[0], DType::kFloat32, {3}, {0, 1, 2});
  expect_tensor<float>(y[1], DType::kFloat32, {2}, {3, 4});
}

TEST_P(MovementOps, ScatterElementsMaxAndMul) {
  auto mx = run_node("ScatterElements", {string_attr("reduction", "max")},
                     {f32({3}, {1, 5, 1}), i64({2}, {1, 0}), f32({2}, {3, 4})}, 1, GetParam(), 18);
  expect_tensor<float>(mx[0], DType::kFloat32, {3}, {4, 5, 1});
  auto mul = run_node("ScatterND", {string_attr("reduction", "mul")},
                      {f32({3}, {1, 2, 3}), i64({2, 1}, {2, 2}), f32({2}, {2, 5})}, 1, GetParam());
  expect_tensor<float>(mul[0], DType::kFloat32, {3}, {1, 2, 30});
}

TEST(MovementOpsStrings, UniqueUnsorted) {
  auto y =
      run_node("Unique", {int_attr("sorted", 0)}, {str({5}, {"b", "a", "b", "c", "a"})}, 4, kFed);
  expect_tensor<std::string>(y[0], DType::kString, {3}, {"b", "a", "c"});
  expect_tensor<int64_t>(y[1], DType::kInt64, {3}, {0, 1, 3});
  expect_tensor<int64_t>(y[2], DType::kInt64, {5}, {0, 1, 0, 2, 1});
  expect_tensor<int64_t>(y[3], DType::kInt64, {3}, {2, 2, 1});
}

TEST_P(MovementOps, NonZeroAndCompress) {
  auto nz = run_node("NonZero", {}, {f32({2, 2}, {0, 3, 4, 0})}, 1, GetParam());
  expect_tensor<int64_t>(nz[0], DType::kInt64, {2, 2}, {0, 1, 1, 0});
  Tensor cond = make<bool>(DType::kBool, {3}, {true, false, true});
  auto c = run_node("Compress", {int_attr("axis", 1)}, {f32({2, 3}, {1, 2, 3, 4, 5, 6}), cond}, 1,
                    GetParam());
  expect_tensor<float>(c[0], DType::kFloat32, {2, 2}, {1, 3, 4, 6});
}

TEST_P(MovementOps, ReshapeExpandTile) {
  auto r =
      run_node("Reshape", {}, {f32({2, 3}, {1, 2, 3, 4, 5, 6}), i64({2}, {-1, 2})}, 1, GetParam());
  expect_tensor<float>(r[0], DType::kFloat32, {3, 2}, {1, 2, 3, 4, 5, 6});
  auto e = run_node("Expand", {}, {f32({2, 1}, {1, 2}), i64({3}, {2, 1, 3})}, 1, GetParam());
  expect_tensor<float>(e[0], DType::kFloat32, {2, 2, 3}, {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2});
}

TEST_P(MovementOps, GatherNDBatchDimsWithPairs) {
  // Per batch a 2x2 matrix; pick [1,0] in batch 0 and [0,1] in batch 1.
  auto y = run_node("GatherND", {int_attr("batch_dims", 1)},
                    {f32({2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7}), i64({2, 2}, {1, 0, 0, 1})}, 1,
                    GetParam());
  expect_tensor<float>(y[0], DType::kFloat32, {2}, {2, 5});
}

TEST_P(MovementOps, TransposeAndDepthSpaceRoundTrip) {
  std::vector<float> v(16);
  for (int i = 0; i < 16; ++i) v[i] = static_cast<float>(i);
  auto s2d =
      run_node("SpaceToDepth", {int_attr("blocksize", 2)}, {f32({1, 1, 4, 4}, v)}, 1, GetParam());
  auto d2s = run_node("DepthToSpace", {int_attr("blocksize", 2)}, {s2d[0]}, 1, GetParam());
  expect_tensor<float>(d2s[0], DType::kFloat32, {1, 1, 4, 4}, v);
  auto t = run_node("Transpose", {ints_attr("perm", {1, 0})}, {f32({2, 2}, {1, 2, 3, 4})}, 1,
                    GetParam());
  expect_tensor<float>(t[0], DType::kFloat32, {2, 2}, {1, 3, 2, 4});
}

TEST(MovementOpsStrings, Tile) {
  auto t = run_node("Tile", {}, {str({2}, {"p", "q"}), i64({1}, {2})}, 1, kFed);
  expect_tensor<std::string>(t[0], DType::kString, {4}, {"p", "q", "p", "q"});
}

INSTANTIATE_TEST_SUITE_P(InputsFedOrKnown, MovementOps, ::testing::Bool());

}  // namespace
}  // namespace infera

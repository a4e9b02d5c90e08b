// Unit tests for the element-wise kernels, run one node at a time without a model file.
// Expected values come from numpy (the expressions are in the comments).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "attribute_builders.h"
#include "core/half.h"
#include "infera/error.h"
#include "infera/tensor.h"
#include "ops/op.h"

namespace infera {
namespace {

using testing::int_attr;
using testing::string_attr;

class TestInferContext final : public InferContext {
 public:
  TestInferContext(const Node& node, const Value* const* inputs, int n_in)
      : InferContext(node, inputs, n_in, 1) {}
  bool has_output(int i) const override { return i == 0; }
  void set_output(int, DType dtype, Shape shape) override {
    dtype_ = dtype;
    shape_ = std::move(shape);
  }
  void set_output_constant(int, Tensor value) override {
    dtype_ = value.dtype();
    shape_ = value.shape();
  }
  void set_output_dynamic(int) override { ADD_FAILURE() << "unexpected dynamic output"; }
  void set_output_non_tensor(int) override { ADD_FAILURE() << "unexpected non-tensor output"; }
  DType dtype_ = DType::kUndefined;
  Shape shape_;
};

class TestRunContext final : public RunContext {
 public:
  TestRunContext(const Node& node, std::vector<Value>& inputs, Tensor& out)
      : node_(node), inputs_(inputs), out_(out) {}
  int num_inputs() const override { return static_cast<int>(inputs_.size()); }
  bool has_input(int i) const override {
    return i < num_inputs() && !node_.inputs[static_cast<size_t>(i)].empty();
  }
  const Value& input_value(int i) const override { return inputs_[static_cast<size_t>(i)]; }
  int num_outputs() const override { return 1; }
  bool has_output(int i) const override { return i == 0; }
  Tensor& output(int) override { return out_; }
  Tensor& allocate_output(int, DType dtype, const Shape& shape) override {
    out_ = Tensor::empty(dtype, shape);
    return out_;
  }
  void set_output_value(int, Value value) override { out_ = value.tensor; }
  std::vector<Value> run_subgraph(const Subgraph&, const std::vector<Value>&) override {
    return {};
  }
  const Node& node() const override { return node_; }

 private:
  const Node& node_;
  std::vector<Value>& inputs_;
  Tensor& out_;
};

template <typename T>
Tensor make(DType dtype, Shape shape, std::vector<T> values) {
  Tensor t = Tensor::empty(dtype, std::move(shape));
  for (size_t i = 0; i < values.size(); ++i) t.data<T>()[i] = values[i];
  return t;
}

// Runs one node of `op` at `opset`; an undefined Tensor in `inputs` marks an omitted input.
Tensor run_op(const std::string& op, std::vector<Tensor> inputs, std::vector<Attribute> attrs = {},
              int64_t opset = 17) {
  Node node;
  node.op_type = op;
  node.attributes = std::move(attrs);
  node.outputs = {"y"};
  std::vector<Value> values;
  std::vector<const Value*> ptrs;
  for (size_t i = 0; i < inputs.size(); ++i) {
    node.inputs.push_back(inputs[i].defined() ? "x" + std::to_string(i) : "");
    values.emplace_back(inputs[i]);
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    ptrs.push_back(inputs[i].defined() ? &values[i] : nullptr);
  }
  const OpRegistration* reg = find_op("", op, opset);
  if (!reg) throw Error(ErrorKind::kUnsupported, "no kernel for " + op);
  KernelInit init(node, opset, nullptr, nullptr);
  std::unique_ptr<OpKernel> kernel = reg->factory(init);
  TestInferContext ictx(node, ptrs.data(), static_cast<int>(ptrs.size()));
  kernel->infer(ictx);
  Tensor out = Tensor::empty(ictx.dtype_, ictx.shape_);
  TestRunContext rctx(node, values, out);
  kernel->run(rctx);
  return out;
}

template <typename T>
std::vector<T> values_of(const Tensor& t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.numel());
}

TEST(ElementwiseOps, RoundHalfToEven) {
  Tensor x = make<float>(DType::kFloat32, {6}, {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.6f});
  EXPECT_EQ(values_of<float>(run_op("Round", {x})), (std::vector<float>{0, 2, 2, -0.0f, -2, 3}));
}

TEST(ElementwiseOps, ModFollowsPythonSignForIntegers) {
  Tensor a = make<int32_t>(DType::kInt32, {6}, {-4, 7, 5, 4, -7, 8});
  Tensor b = make<int32_t>(DType::kInt32, {6}, {2, -3, 8, -2, 3, 5});
  // np.mod -> [0, -2, 5, 0, 2, 3]
  EXPECT_EQ(values_of<int32_t>(run_op("Mod", {a, b})), (std::vector<int32_t>{0, -2, 5, 0, 2, 3}));
  // np.fmod -> [0, 1, 5, 0, -1, 3]
  EXPECT_EQ(values_of<int32_t>(run_op("Mod", {a, b}, {int_attr("fmod", 1)})),
            (std::vector<int32_t>{0, 1, 5, 0, -1, 3}));
}

TEST(ElementwiseOps, AddBroadcastsBothWays) {
  Tensor a = make<float>(DType::kFloat32, {2, 1}, {1, 2});
  Tensor b = make<float>(DType::kFloat32, {1, 3}, {10, 20, 30});
  Tensor y = run_op("Add", {a, b});
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  EXPECT_EQ(values_of<float>(y), (std::vector<float>{11, 21, 31, 12, 22, 32}));
}

TEST(ElementwiseOps, LegacyBroadcastAlignsAtAxis) {
  Tensor a = make<float>(DType::kFloat32, {2, 3, 2}, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  Tensor b = make<float>(DType::kFloat32, {3}, {1, 2, 3});
  Tensor y = run_op("Add", {a, b}, {int_attr("broadcast", 1), int_attr("axis", 1)}, 6);
  EXPECT_EQ(values_of<float>(y), (std::vector<float>{1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3}));
}

TEST(ElementwiseOps, UInt8ArithmeticWraps) {
  Tensor a = make<uint8_t>(DType::kUInt8, {2}, {250, 3});
  Tensor b = make<uint8_t>(DType::kUInt8, {2}, {10, 5});
  EXPECT_EQ(values_of<uint8_t>(run_op("Add", {a, b})), (std::vector<uint8_t>{4, 8}));
  EXPECT_EQ(values_of<uint8_t>(run_op("Sub", {a, b})), (std::vector<uint8_t>{240, 254}));
  EXPECT_EQ(values_of<uint8_t>(run_op("Div", {a, b})), (std::vector<uint8_t>{25, 0}));
}

TEST(ElementwiseOps, PowMixedTypes) {
  Tensor xi = make<int64_t>(DType::kInt64, {3}, {1, 2, 3});
  Tensor yf = make<float>(DType::kFloat32, {3}, {4, 5, 6});
  EXPECT_EQ(values_of<int64_t>(run_op("Pow", {xi, yf})), (std::vector<int64_t>{1, 32, 729}));
  Tensor xf = make<float>(DType::kFloat32, {3}, {1, 2, 3});
  Tensor yu = make<uint64_t>(DType::kUInt64, {3}, {4, 5, 6});
  EXPECT_EQ(values_of<float>(run_op("Pow", {xf, yu})), (std::vector<float>{1, 32, 729}));
}

TEST(ElementwiseOps, ClipWithOmittedMin) {
  Tensor x = make<int8_t>(DType::kInt8, {4}, {-128, -1, 5, 127});
  Tensor hi = make<int8_t>(DType::kInt8, {}, {0});
  EXPECT_EQ(values_of<int8_t>(run_op("Clip", {x, Tensor(), hi})),
            (std::vector<int8_t>{-128, -1, 0, 0}));
  Tensor xf = make<float>(DType::kFloat32, {3}, {-2, 0.5f, 3});
  Tensor y = run_op("Clip", {xf}, {}, 6);  // attributes absent: no bounds
  EXPECT_EQ(values_of<float>(y), (std::vector<float>{-2, 0.5f, 3}));
}

TEST(ElementwiseOps, BitShift) {
  Tensor x = make<uint8_t>(DType::kUInt8, {3}, {16, 4, 1});
  Tensor s = make<uint8_t>(DType::kUInt8, {3}, {1, 2, 3});
  EXPECT_EQ(values_of<uint8_t>(run_op("BitShift", {x, s}, {string_attr("direction", "RIGHT")})),
            (std::vector<uint8_t>{8, 1, 0}));
  EXPECT_EQ(values_of<uint8_t>(run_op("BitShift", {x, s}, {string_attr("direction", "LEFT")})),
            (std::vector<uint8_t>{32, 16, 8}));
}

TEST(ElementwiseOps, MaxMinPropagateNaN) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor a = make<float>(DType::kFloat32, {3}, {1, nan, 3});
  Tensor b = make<float>(DType::kFloat32, {3}, {nan, 2, 1});
  Tensor y = run_op("Max", {a, b});
  EXPECT_TRUE(std::isnan(y.data<float>()[0]));
  EXPECT_TRUE(std::isnan(y.data<float>()[1]));
  EXPECT_EQ(y.data<float>()[2], 3);
}

TEST(ElementwiseOps, MeanBroadcasts) {
  Tensor a = make<float>(DType::kFloat32, {2}, {1, 2});
  Tensor b = make<float>(DType::kFloat32, {}, {3});
  Tensor c = make<float>(DType::kFloat32, {2, 1}, {5, 8});
  Tensor y = run_op("Mean", {a, b, c});
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_EQ(values_of<float>(y), (std::vector<float>{3, 10.0f / 3, 4, 13.0f / 3}));
}

TEST(ElementwiseOps, WhereBroadcastsThreeWays) {
  Tensor cond = make<bool>(DType::kBool, {2, 1}, {true, false});
  Tensor x = make<int64_t>(DType::kInt64, {2}, {1, 2});
  Tensor y = make<int64_t>(DType::kInt64, {}, {9});
  EXPECT_EQ(values_of<int64_t>(run_op("Where", {cond, x, y})), (std::vector<int64_t>{1, 2, 9, 9}));
}

TEST(ElementwiseOps, CastFloatToStringLikeNumpy) {
  const float inf = std::numeric_limits<float>::infinity();
  Tensor x = make<float>(DType::kFloat32, {8},
                         {0.47892547f, 1.0f, 1e-5f, 1.5e16f, 123.25f, -0.0001f, inf, 0.0f});
  Tensor y = run_op("Cast", {x}, {int_attr("to", 8)});
  EXPECT_EQ(values_of<std::string>(y),
            (std::vector<std::string>{"0.47892547", "1.0", "1e-05", "1.5e+16", "123.25", "-1e-04",
                                      "inf", "0.0"}));  // float32(1e-4) < 1e-4
  Tensor h = make<Float16>(DType::kFloat16, {1}, {Float16(0.1f)});
  EXPECT_EQ(values_of<std::string>(run_op("Cast", {h}, {int_attr("to", 8)}))[0], "0.1");
}

TEST(ElementwiseOps, CastStringToFloat) {
  Tensor x = make<std::string>(DType::kString, {4}, {"0.5", "NaN", "+INF", "-INF"});
  Tensor y = run_op("Cast", {x}, {int_attr("to", 1)});
  EXPECT_EQ(y.data<float>()[0], 0.5f);
  EXPECT_TRUE(std::isnan(y.data<float>()[1]));
  EXPECT_EQ(y.data<float>()[2], std::numeric_limits<float>::infinity());
  EXPECT_EQ(y.data<float>()[3], -std::numeric_limits<float>::infinity());
}

TEST(ElementwiseOps, CastFloatToIntTruncatesAndTypeNameOpset1) {
  Tensor x = make<float>(DType::kFloat32, {3}, {-1.7f, 2.9f, 300.0f});
  EXPECT_EQ(values_of<int32_t>(run_op("Cast", {x}, {string_attr("to", "INT32")}, 1)),
            (std::vector<int32_t>{-1, 2, 300}));
  EXPECT_EQ(values_of<bool>(run_op("Cast", {x}, {int_attr("to", 9)})),
            (std::vector<bool>{true, true, true}));
}

TEST(ElementwiseOps, CastToBFloat16RoundsToNearestEven) {
  // 0.48033667f is 0x3ef5eea1: rounding gives 0x3ef6 (truncation would keep 0x3ef5).
  Tensor x = make<float>(DType::kFloat32, {2}, {0.48033667f, std::nanf("")});
  Tensor y = run_op("Cast", {x}, {int_attr("to", 16)});
  EXPECT_EQ(y.data<BFloat16>()[0].bits, 0x3ef6);
  EXPECT_TRUE(std::isnan(float(y.data<BFloat16>()[1])));
}

TEST(ElementwiseOps, EqualOnStrings) {
  Tensor a = make<std::string>(DType::kString, {2}, {"a", "b"});
  Tensor b = make<std::string>(DType::kString, {1}, {"b"});
  EXPECT_EQ(values_of<bool>(run_op("Equal", {a, b})), (std::vector<bool>{false, true}));
}

TEST(ElementwiseOps, RejectsMismatchedDtypes) {
  Tensor a = make<float>(DType::kFloat32, {1}, {1});
  Tensor b = make<int32_t>(DType::kInt32, {1}, {1});
  EXPECT_THROW(run_op("Add", {a, b}), Error);
  EXPECT_THROW(run_op("Sqrt", {b}), Error);
}

}  // namespace
}  // namespace infera

// Decoding real ONNX backend-test models and data files. Expected facts were read with
//   /usr/bin/python3 -c "import onnx; m = onnx.load(PATH); print(m.graph.node[0].attribute)"
// (onnx 1.12 on Debian 12) and numpy_helper.to_array for tensor values.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "infera/error.h"
#include "onnx/onnx_reader.h"

namespace infera {
namespace {

namespace fs = std::filesystem;
const std::string kNodeTests = "/usr/share/libonnx-testdata/data/node/";

bool have_test_data() { return fs::exists(kNodeTests); }

#define REQUIRE_TEST_DATA() \
  if (!have_test_data()) GTEST_SKIP() << "libonnx-testdata is not installed"

TEST(OnnxReader, ConvModelWithAttributes) {
  REQUIRE_TEST_DATA();
  auto model = read_onnx_model(kNodeTests + "test_conv_with_strides_padding/model.onnx");
  EXPECT_EQ(model->ir_version, 6);
  EXPECT_EQ(model->opset_for(""), 11);
  ASSERT_EQ(model->graph->nodes.size(), 1u);
  const Node& conv = model->graph->nodes[0];
  EXPECT_EQ(conv.op_type, "Conv");
  EXPECT_EQ(conv.inputs, (std::vector<std::string>{"x", "W"}));
  const Attribute* kernel = conv.find_attribute("kernel_shape");
  ASSERT_NE(kernel, nullptr);
  EXPECT_EQ(kernel->type, Attribute::Type::kInts);
  EXPECT_EQ(kernel->ints, (std::vector<int64_t>{3, 3}));
  EXPECT_EQ(conv.find_attribute("pads")->ints, (std::vector<int64_t>{1, 1, 1, 1}));
  ASSERT_EQ(model->graph->inputs.size(), 2u);
  const TypeInfo& x = model->graph->inputs[0].type;
  EXPECT_EQ(type_to_string(x), "tensor(float32)[1, 1, 7, 5]");
}

TEST(OnnxReader, ConstantTensorAttributeFromFloatData) {
  REQUIRE_TEST_DATA();
  auto model = read_onnx_model(kNodeTests + "test_constant/model.onnx");
  const Attribute* value = model->graph->nodes.at(0).find_attribute("value");
  ASSERT_NE(value, nullptr);
  EXPECT_EQ(value->type, Attribute::Type::kTensor);
  EXPECT_EQ(value->t.dtype(), DType::kFloat32);
  EXPECT_EQ(value->t.shape(), (Shape{5, 5}));
  EXPECT_FLOAT_EQ(value->t.data<float>()[0], 1.764052391052246f);
  EXPECT_FLOAT_EQ(value->t.data<float>()[2], 0.978738009929657f);
}

TEST(OnnxReader, LoopBodySubgraph) {
  REQUIRE_TEST_DATA();
  auto model = read_onnx_model(kNodeTests + "test_loop11/model.onnx");
  const Attribute* body = model->graph->nodes.at(0).find_attribute("body");
  ASSERT_NE(body, nullptr);
  EXPECT_EQ(body->type, Attribute::Type::kGraph);
  ASSERT_TRUE(body->g);
  EXPECT_EQ(body->g->nodes.size(), 9u);
  EXPECT_EQ(body->g->nodes[3].op_type, "Add");
  ASSERT_EQ(body->g->inputs.size(), 3u);
  EXPECT_EQ(body->g->inputs[2].name, "y_in");
}

TEST(OnnxReader, SequenceAndOptionalTypes) {
  REQUIRE_TEST_DATA();
  auto if_seq = read_onnx_model(kNodeTests + "test_if_seq/model.onnx");
  EXPECT_EQ(type_to_string(if_seq->graph->outputs.at(0).type), "seq(tensor(float32))");
  auto opt = read_onnx_model(kNodeTests + "test_optional_get_element_sequence/model.onnx");
  EXPECT_EQ(type_to_string(opt->graph->inputs.at(0).type), "optional(seq(tensor(int32)[4]))");
}

TEST(OnnxReader, TensorFiles) {
  REQUIRE_TEST_DATA();
  // The bfloat16 outputs are stored as uint16 (data_type 4) raw_data: 16117, 16117, 16127.
  Tensor bf16 = read_tensor_file(kNodeTests + "test_cast_FLOAT_to_BFLOAT16/test_data_set_0/output_0.pb");
  EXPECT_EQ(bf16.dtype(), DType::kUInt16);
  EXPECT_EQ(bf16.shape(), (Shape{3, 4}));
  EXPECT_EQ(bf16.data<uint16_t>()[0], 16117);
  EXPECT_EQ(bf16.data<uint16_t>()[2], 16127);
  Tensor strings = read_tensor_file(kNodeTests + "test_castlike_FLOAT_to_STRING/test_data_set_0/output_0.pb");
  EXPECT_EQ(strings.dtype(), DType::kString);
  EXPECT_EQ(strings.data<std::string>()[1], "0.6048455");
  Tensor conv = read_tensor_file(kNodeTests + "test_conv_with_strides_padding/test_data_set_0/output_0.pb");
  EXPECT_EQ(conv.shape(), (Shape{1, 1, 4, 3}));
  EXPECT_EQ(conv.data<float>()[1], 27.0f);
}

// Reads every test_data_set_0 file of every node test by its declared graph type.
TEST(OnnxReader, EveryNodeTestModelAndDataFile) {
  REQUIRE_TEST_DATA();
  size_t models = 0, files = 0, sequences = 0, optionals = 0;
  for (const auto& entry : fs::directory_iterator(kNodeTests)) {
    const fs::path dir = entry.path();
    SCOPED_TRACE(dir.string());
    std::shared_ptr<Model> model;
    ASSERT_NO_THROW(model = read_onnx_model((dir / "model.onnx").string()));
    ++models;
    const fs::path data = dir / "test_data_set_0";
    for (const char* prefix : {"input_", "output_"}) {
      const auto& declared = std::string(prefix) == "input_" ? model->graph->inputs : model->graph->outputs;
      for (size_t i = 0;; ++i) {
        const fs::path file = data / (prefix + std::to_string(i) + ".pb");
        if (!fs::exists(file)) break;
        ASSERT_LT(i, declared.size()) << file;
        Value v;
        ASSERT_NO_THROW(v = read_value_file(file.string(), declared[i].type)) << file;
        ++files;
        sequences += v.is_sequence();
        optionals += declared[i].type.kind == TypeInfo::Kind::kOptional;
      }
    }
  }
  EXPECT_GT(models, 900u);
  EXPECT_GT(files, 2000u);
  EXPECT_GT(sequences, 10u);
  EXPECT_GT(optionals, 3u);
}

TEST(OnnxReader, MissingFileAndDirectoryAreIoErrors) {
  try {
    read_onnx_model("/nonexistent/model.onnx");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIo);
    EXPECT_NE(std::string(e.what()).find("/nonexistent/model.onnx"), std::string::npos);
  }
  try {
    read_onnx_model("/tmp");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIo);
    EXPECT_NE(std::string(e.what()).find("directory"), std::string::npos);
  }
}

}  // namespace
}  // namespace infera

// Corrupt-input injection: every truncation and every single-bit flip of small models must
// decode or raise infera::Error, never crash (run these under -DINFERA_SANITIZE=ON too).
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "infera/error.h"
#include "onnx/onnx_reader.h"
#include "proto_writer.h"

namespace infera {
namespace {

using namespace testing::onnx_field;
using testing::model_around;
using testing::ProtoWriter;

// A model touching most decoders: initializer with raw_data, typed input, attributes of
// several kinds and a subgraph.
std::string small_model() {
  const float weights[4] = {1, 2, 3, 4};
  ProtoWriter w;
  w.packed_varints(kTensorDims, {2, 2}).varint(kTensorDataType, 1).bytes(kTensorName, "w");
  w.bytes(kTensorRawData, std::string(reinterpret_cast<const char*>(weights), sizeof(weights)));
  ProtoWriter shape;
  shape.message(1, ProtoWriter().varint(1, 2)).message(1, ProtoWriter().bytes(2, "batch"));
  ProtoWriter tensor_type;
  tensor_type.varint(1, 1).message(2, shape);
  ProtoWriter input;
  input.bytes(1, "x").message(2, ProtoWriter().message(1, tensor_type));
  ProtoWriter body;
  body.message(kGraphNode, ProtoWriter().bytes(kNodeInput, "x").bytes(kNodeOutput, "z").bytes(kNodeOpType, "Relu"));
  ProtoWriter node;
  node.bytes(kNodeInput, "x").bytes(kNodeInput, "w").bytes(kNodeOutput, "y").bytes(kNodeOpType, "Gemm");
  node.message(kNodeAttribute, ProtoWriter().bytes(kAttrName, "alpha").float32(kAttrF, 1).varint(kAttrType, 1));
  node.message(kNodeAttribute, ProtoWriter().bytes(kAttrName, "perm").packed_varints(kAttrInts, {1, 0}).varint(kAttrType, 7));
  node.message(kNodeAttribute, ProtoWriter().bytes(kAttrName, "body").message(6, body).varint(kAttrType, 5));
  ProtoWriter graph;
  graph.message(kGraphNode, node).message(kGraphInitializer, w).message(kGraphInput, input);
  graph.message(kGraphOutput, ProtoWriter().bytes(1, "y"));
  return model_around(graph);
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Decodes from a fresh heap copy so ASan sees any read past the end.
void decode_copy(const std::string& bytes) {
  std::unique_ptr<uint8_t[]> copy(new uint8_t[bytes.size() + 1]);
  std::memcpy(copy.get(), bytes.data(), bytes.size());
  read_onnx_model_from_memory(copy.get(), bytes.size(), nullptr, "");
}

void expect_every_prefix_refused(const std::string& bytes) {
  ASSERT_NO_THROW(decode_copy(bytes));
  for (size_t len = 0; len < bytes.size(); ++len) {
    try {
      decode_copy(bytes.substr(0, len));
      ADD_FAILURE() << "prefix of " << len << " bytes decoded";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kInvalidModel) << e.what();
    }
  }
}

// Returns how many flips decoded; the rest must have thrown infera::Error.
size_t flip_every_bit(const std::string& bytes) {
  size_t decoded = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string flipped = bytes;
      flipped[i] = static_cast<char>(flipped[i] ^ (1 << bit));
      try {
        decode_copy(flipped);
        ++decoded;
      } catch (const Error&) {
      }
    }
  }
  return decoded;
}

const std::string kNodeTests = "/usr/share/libonnx-testdata/data/node/";

TEST(OnnxHardening, EveryTruncationOfSmallModelThrows) { expect_every_prefix_refused(small_model()); }

TEST(OnnxHardening, EveryTruncationOfRealModelThrows) {
  const std::string path = kNodeTests + "test_conv_with_strides_padding/model.onnx";
  if (!std::filesystem::exists(path)) GTEST_SKIP();
  expect_every_prefix_refused(file_bytes(path));
}

TEST(OnnxHardening, EveryBitFlipDecodesOrThrows) {
  const std::string bytes = small_model();
  const size_t decoded = flip_every_bit(bytes);
  EXPECT_GT(decoded, 0u);  // flips inside weights or names still make a model
  EXPECT_LT(decoded, bytes.size() * 8);
}

TEST(OnnxHardening, EveryBitFlipOfRealModelsDecodesOrThrows) {
  for (const char* test : {"test_if_seq", "test_constant", "test_loop11"}) {
    const std::string path = kNodeTests + test + "/model.onnx";
    if (!std::filesystem::exists(path)) GTEST_SKIP();
    SCOPED_TRACE(test);
    flip_every_bit(file_bytes(path));
  }
}

TEST(OnnxHardening, EmptyFileIsRefused) {
  const auto path = std::filesystem::temp_directory_path() / "infera_empty_model.onnx";
  { std::ofstream(path.string()); }
  try {
    read_onnx_model(path.string());
    ADD_FAILURE() << "empty file decoded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("empty"), std::string::npos);
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace infera

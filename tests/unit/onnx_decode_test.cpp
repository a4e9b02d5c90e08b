// Decoding hand-made models: every TensorProto data field, in-place initializers, and the
// errors a malformed model must produce (with the field path in the message).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "infera/error.h"
#include "onnx/onnx_reader.h"
#include "proto_writer.h"

namespace infera {
namespace {

using namespace testing::onnx_field;
using testing::model_around;
using testing::ProtoWriter;

std::shared_ptr<Model> decode(const std::string& bytes) {
  return read_onnx_model_from_memory(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(),
                                     nullptr, "");
}

ProtoWriter tensor(int32_t dtype, std::vector<int64_t> dims) {
  ProtoWriter t;
  t.bytes(kTensorName, "w").varint(kTensorDataType, static_cast<uint64_t>(dtype));
  if (!dims.empty()) t.packed_varints(kTensorDims, dims);
  return t;
}

Tensor decode_initializer(const ProtoWriter& t) {
  ProtoWriter graph;
  graph.message(kGraphInitializer, t);
  auto model = decode(model_around(graph));
  return model->graph->initializers.at(0).tensor;
}

// The error a decode throws, checking its kind.
std::string error_of(const std::function<void()>& f, ErrorKind kind = ErrorKind::kInvalidModel) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST(OnnxDecode, NarrowTypesFromInt32Data) {
  ProtoWriter f16 = tensor(10, {2});
  f16.packed_varints(kTensorInt32Data, {0x3c00, 0x13c00});  // high bits are not part of the value
  Tensor h = decode_initializer(f16);
  EXPECT_EQ(h.dtype(), DType::kFloat16);
  EXPECT_EQ(h.data<uint16_t>()[0], 0x3c00);
  EXPECT_EQ(h.data<uint16_t>()[1], 0x3c00);

  ProtoWriter b = tensor(9, {3});
  b.varint(kTensorInt32Data, 0).varint(kTensorInt32Data, 2).varint(kTensorInt32Data, 1);  // unpacked
  Tensor bools = decode_initializer(b);
  EXPECT_EQ(bools.data<uint8_t>()[0], 0);
  EXPECT_EQ(bools.data<uint8_t>()[1], 1);

  ProtoWriter i8 = tensor(3, {1});
  i8.packed_varints(kTensorInt32Data, {-3});
  EXPECT_EQ(decode_initializer(i8).data<int8_t>()[0], -3);
}

TEST(OnnxDecode, WideTypesAndStrings) {
  ProtoWriter u32 = tensor(12, {2});
  u32.packed_varints(kTensorUint64Data, {7, 4000000000});
  EXPECT_EQ(decode_initializer(u32).data<uint32_t>()[1], 4000000000u);

  ProtoWriter i64 = tensor(7, {2});
  i64.varint(kTensorInt64Data, static_cast<uint64_t>(int64_t{-9})).varint(kTensorInt64Data, 5);
  EXPECT_EQ(decode_initializer(i64).data<int64_t>()[0], -9);

  ProtoWriter s = tensor(8, {2});
  s.bytes(kTensorStringData, "ab").bytes(kTensorStringData, std::string("c\0d", 3));
  Tensor strings = decode_initializer(s);
  EXPECT_EQ(strings.dtype(), DType::kString);
  EXPECT_EQ(strings.data<std::string>()[1], std::string("c\0d", 3));

  ProtoWriter scalar = tensor(1, {});
  scalar.float32(kTensorFloatData, 2.5f);
  Tensor t = decode_initializer(scalar);
  EXPECT_EQ(t.rank(), 0);
  EXPECT_EQ(t.data<float>()[0], 2.5f);
}

TEST(OnnxDecode, RawDataInPlaceOnlyWhenAlignedAndKeptAlive) {
  const float values[3] = {1.5f, -2.5f, 3.25f};
  const std::string payload(reinterpret_cast<const char*>(values), sizeof(values));
  ProtoWriter t = tensor(1, {3});
  t.bytes(kTensorRawData, payload);
  ProtoWriter graph;
  graph.message(kGraphInitializer, t);
  const std::string bytes = model_around(graph);
  const size_t payload_at = bytes.find(payload);
  std::shared_ptr<uint8_t> buffer(static_cast<uint8_t*>(std::aligned_alloc(64, 256)), std::free);
  ASSERT_LE(bytes.size() + 4, 256u);
  for (size_t shift = 0; shift < 4; ++shift) {
    uint8_t* start = buffer.get() + shift;
    std::memcpy(start, bytes.data(), bytes.size());
    auto model = read_onnx_model_from_memory(start, bytes.size(), buffer, "");
    const Tensor& w = model->graph->initializers.at(0).tensor;
    const bool aligned = (shift + payload_at) % 4 == 0;
    EXPECT_EQ(w.raw() == start + payload_at, aligned) << "shift " << shift;
    EXPECT_EQ(w.data<float>()[1], -2.5f);
  }
  auto copied = decode(bytes);  // nothing keeps the caller's bytes alive: always copied
  EXPECT_NE(copied->graph->initializers[0].tensor.raw(), nullptr);
  EXPECT_EQ(copied->graph->initializers[0].tensor.data<float>()[2], 3.25f);
}

// Unaligned raw_data is copied out at the end of decoding, in pieces spread over threads
// (DecodeContext::finish_copies): every byte of every tensor lands, large ones included.
TEST(OnnxDecode, UnalignedWeightsCopiedWhole) {
  ProtoWriter graph;
  std::vector<std::vector<float>> expected;
  for (int k = 0; k < 6; ++k) {
    // 3 MiB and odd sizes: more than one thread's share, pieces not a multiple of the tensors.
    const int64_t n = (k % 2 ? 3 << 18 : 1000 + 37 * k);
    std::vector<float> v(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) v[i] = static_cast<float>(k * 1000003 + i);
    const std::string name(1, static_cast<char>('a' + k));
    ProtoWriter t;
    t.bytes(kTensorName, name).varint(kTensorDataType, 1);
    t.packed_varints(kTensorDims, {n});
    t.bytes(kTensorRawData, std::string_view(reinterpret_cast<const char*>(v.data()),
                                             v.size() * sizeof(float)));
    graph.message(kGraphInitializer, t);
    expected.push_back(std::move(v));
  }
  const std::string bytes = model_around(graph);
  // One byte past an aligned buffer, kept alive: tensors that happen to be aligned are viewed,
  // the others copied.
  std::shared_ptr<uint8_t> buffer(static_cast<uint8_t*>(std::aligned_alloc(64, bytes.size() + 64)),
                                  std::free);
  std::memcpy(buffer.get() + 1, bytes.data(), bytes.size());
  for (const bool kept : {true, false}) {
    auto model = kept ? read_onnx_model_from_memory(buffer.get() + 1, bytes.size(), buffer, "")
                      : decode(bytes);
    ASSERT_EQ(model->graph->initializers.size(), expected.size());
    int copied = 0;
    for (size_t k = 0; k < expected.size(); ++k) {
      const Tensor& w = model->graph->initializers[k].tensor;
      ASSERT_EQ(w.numel(), static_cast<int64_t>(expected[k].size()));
      EXPECT_EQ(reinterpret_cast<uintptr_t>(w.raw()) % 4, 0u);
      EXPECT_EQ(std::memcmp(w.raw(), expected[k].data(), w.nbytes()), 0) << "tensor " << k;
      const auto* at = static_cast<const uint8_t*>(w.raw());
      copied += !(at > buffer.get() && at < buffer.get() + bytes.size() + 1);
    }
    EXPECT_GT(copied, 0);
  }
}

TEST(OnnxDecode, DataThatDoesNotMatchDims) {
  ProtoWriter few = tensor(1, {2, 3});
  few.packed_varints(kTensorInt64Data, {});  // an empty packed run of the wrong field is fine
  for (int i = 0; i < 5; ++i) few.float32(kTensorFloatData, 1.0f);
  EXPECT_NE(error_of([&] { decode_initializer(few); })
                .find("<memory>: graph.initializer 'w': dims [2, 3] need 6 values but float_data "
                      "holds 5"),
            std::string::npos);

  ProtoWriter raw = tensor(1, {2});
  raw.bytes(kTensorRawData, "abc");
  EXPECT_NE(error_of([&] { decode_initializer(raw); }).find("raw_data holds 3 bytes"),
            std::string::npos);

  // A product past 2^62: refused before anything is allocated.
  ProtoWriter huge = tensor(1, {1 << 30, 1 << 30, 1 << 30});
  huge.bytes(kTensorRawData, "abcd");
  EXPECT_NE(error_of([&] { decode_initializer(huge); }).find("too many elements"), std::string::npos);
  // Large but representable: the raw_data length check refuses it, still without allocating.
  ProtoWriter big = tensor(1, {1 << 30, 1 << 30});
  big.bytes(kTensorRawData, "abcd");
  EXPECT_NE(error_of([&] { decode_initializer(big); }).find("need more"), std::string::npos);

  ProtoWriter negative = tensor(1, {2, -1});
  EXPECT_NE(error_of([&] { decode_initializer(negative); }).find("negative dimension"),
            std::string::npos);

  ProtoWriter missing = tensor(1, {4});
  EXPECT_NE(error_of([&] { decode_initializer(missing); }).find("need 4 values"), std::string::npos);

  ProtoWriter wrong_field = tensor(1, {1});
  wrong_field.varint(kTensorInt64Data, 3);
  EXPECT_NE(error_of([&] { decode_initializer(wrong_field); })
                .find("float32 keeps its values in float_data, but the tensor has int64_data"),
            std::string::npos);
}

TEST(OnnxDecode, UnknownAndUnsupportedDtypes) {
  EXPECT_NE(error_of([&] { decode_initializer(tensor(99, {})); }).find("unknown data_type 99"),
            std::string::npos);
  EXPECT_NE(error_of([&] { decode_initializer(tensor(0, {})); }).find("UNDEFINED"),
            std::string::npos);
  error_of([&] { decode_initializer(tensor(17, {})); }, ErrorKind::kUnsupported);
}

ProtoWriter conv_node_with_attribute(const ProtoWriter& attribute) {
  ProtoWriter node;
  node.bytes(kNodeInput, "x").bytes(kNodeOutput, "y").bytes(kNodeOpType, "Conv");
  node.message(kNodeAttribute, attribute);
  return node;
}

TEST(OnnxDecode, ErrorNamesNodeAttributeAndByte) {
  ProtoWriter relu;
  relu.bytes(kNodeInput, "a").bytes(kNodeOutput, "x").bytes(kNodeOpType, "Relu");
  ProtoWriter attribute;
  attribute.bytes(kAttrName, "kernel_shape").raw(std::string("\x40\x80", 2));  // ints, cut short
  ProtoWriter graph;
  graph.message(kGraphNode, relu).message(kGraphNode, conv_node_with_attribute(attribute));
  const std::string message = error_of([&] { decode(model_around(graph)); });
  EXPECT_NE(message.find("<memory>: graph.node[1].attribute 'kernel_shape': truncated varint at byte "),
            std::string::npos) << message;
}

TEST(OnnxDecode, AttributeTypesAndInference) {
  ProtoWriter typed;
  typed.bytes(kAttrName, "alpha").float32(kAttrF, 0.5f).varint(kAttrType, 1);
  ProtoWriter untyped;  // files before IR version 2 omit the type
  untyped.bytes(kAttrName, "axis").varint(kAttrI, static_cast<uint64_t>(int64_t{-1}));
  ProtoWriter node = conv_node_with_attribute(typed);
  node.message(kNodeAttribute, untyped);
  ProtoWriter graph;
  graph.message(kGraphNode, node);
  auto model = decode(model_around(graph));
  const Node& n = model->graph->nodes.at(0);
  EXPECT_EQ(n.find_attribute("alpha")->f, 0.5f);
  EXPECT_EQ(n.find_attribute("axis")->type, Attribute::Type::kInt);
  EXPECT_EQ(n.find_attribute("axis")->i, -1);

  ProtoWriter bad_type;
  bad_type.bytes(kAttrName, "k").varint(kAttrType, 77);
  ProtoWriter g2;
  g2.message(kGraphNode, conv_node_with_attribute(bad_type));
  EXPECT_NE(error_of([&] { decode(model_around(g2)); }).find("attribute 'k': unknown attribute type 77"),
            std::string::npos);
}

TEST(OnnxDecode, DeepNestingRefused) {
  ProtoWriter graph;
  for (int depth = 0; depth < 100; ++depth) {
    ProtoWriter attribute;
    attribute.bytes(kAttrName, "body").message(6, graph).varint(kAttrType, 5);
    ProtoWriter node = conv_node_with_attribute(attribute);
    ProtoWriter outer;
    outer.message(kGraphNode, node);
    graph = outer;
  }
  EXPECT_NE(error_of([&] { decode(model_around(graph)); }).find("nested deeper than"),
            std::string::npos);
}

TEST(OnnxDecode, ModelLevelChecks) {
  EXPECT_NE(error_of([&] { decode(""); }).find("no graph"), std::string::npos);
  ProtoWriter no_opset;
  no_opset.varint(kModelIrVersion, 8).message(kModelGraph, ProtoWriter().bytes(kGraphName, "g"));
  EXPECT_NE(error_of([&] { decode(no_opset.str()); }).find("no opset_import"), std::string::npos);
  auto model = decode(model_around(ProtoWriter().bytes(kGraphName, "g")));
  EXPECT_EQ(model->graph->name, "g");
  EXPECT_EQ(model->opset_for(""), 13);
}

}  // namespace
}  // namespace infera

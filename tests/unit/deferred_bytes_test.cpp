// Initializer bytes left in the model file (core/deferred_bytes.h): the copy is made only for
// readers that need it, the conv kernels pack straight from the file, and every other reader
// (rewrites, reference kernels, other ops) sees the right values.
#include "core/deferred_bytes.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>

#include "onnx/onnx_reader.h"
#include "opt_test_util.h"
#include "proto_writer.h"

namespace infera::testing {
namespace {

// `values` as float bytes starting one byte into a buffer, where no float may be read from.
struct UnalignedSource {
  std::shared_ptr<uint8_t> buffer;
  const uint8_t* bytes;
};
UnalignedSource unaligned_copy(const Tensor& values) {
  std::shared_ptr<uint8_t> buffer(static_cast<uint8_t*>(std::malloc(values.nbytes() + 8)),
                                  std::free);
  std::memcpy(buffer.get() + 1, values.raw(), values.nbytes());
  return {buffer, buffer.get() + 1};
}

Tensor deferred_copy_of(const Tensor& values) {
  const UnalignedSource source = unaligned_copy(values);
  return make_deferred_tensor(values.dtype(), values.shape(), source.bytes, source.buffer);
}

bool same_bytes(const Tensor& a, const Tensor& b) {
  return a.nbytes() == b.nbytes() && std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
}

TEST(DeferredBytes, CopiedWhenFirstMaterialized) {
  const Tensor values = random_tensor({5, 7}, 1);
  const UnalignedSource source = unaligned_copy(values);
  Tensor t = make_deferred_tensor(DType::kFloat32, {5, 7}, source.bytes, source.buffer);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.raw()) % 64, 0u);
  EXPECT_TRUE(is_deferred(t));
  const Tensor view = t.reshaped({35});
  const Tensor row = Tensor(DType::kFloat32, {7}, t.data<float>() + 7, t.keep_alive());
  EXPECT_TRUE(is_deferred(view));
  EXPECT_TRUE(is_deferred(row));
  with_bytes(row, [&](const void* bytes) {
    EXPECT_EQ(bytes, source.bytes + 7 * sizeof(float));  // read where they lie, no copy
  });
  EXPECT_TRUE(is_deferred(t));

  materialize(view);
  EXPECT_FALSE(is_deferred(t));
  EXPECT_FALSE(is_deferred(row));
  EXPECT_TRUE(same_bytes(t, values));
  with_bytes(t, [&](const void* bytes) { EXPECT_EQ(bytes, t.raw()); });
  materialize(t);  // a second time: nothing to do
  EXPECT_TRUE(same_bytes(t, values));
  EXPECT_FALSE(is_deferred(Tensor::empty(DType::kFloat32, {3})));
}

TEST(DeferredBytes, MaterializedOnceByManyThreadsAndAllAtOnce) {
  // 3 MiB and odd sizes: more than one piece, pieces not a multiple of the tensors.
  std::vector<Tensor> values, deferred;
  for (int k = 0; k < 5; ++k) {
    values.push_back(random_tensor({k % 2 ? 3 << 18 : 1000 + 37 * k}, 10 + k));
    deferred.push_back(deferred_copy_of(values.back()));
  }
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back([&] { materialize(deferred[1]); });
  for (std::thread& t : threads) t.join();
  EXPECT_FALSE(is_deferred(deferred[1]));
  EXPECT_TRUE(is_deferred(deferred[0]));
  materialize_all(deferred, 2);
  for (size_t k = 0; k < values.size(); ++k) {
    EXPECT_FALSE(is_deferred(deferred[k])) << k;
    EXPECT_TRUE(same_bytes(deferred[k], values[k])) << k;
  }
}

// Where `values`' bytes begin inside `file`: the test cannot choose where protobuf puts them.
const uint8_t* find_bytes(const std::string& file, const uint8_t* file_start,
                          const Tensor& values) {
  const size_t at = file.find(std::string(static_cast<const char*>(values.raw()), values.nbytes()));
  return at == std::string::npos ? nullptr : file_start + at;
}

TEST(DeferredBytes, DecodingLeavesOnlyConvWeightsInTheFile) {
  using namespace onnx_field;
  // y = Conv(x, conv_w) + add_b;  z = Conv(x, shared_w) * shared_w. Only conv_w is read by
  // nothing but a Conv's W input.
  const Tensor conv_w = random_tensor({4, 2, 3, 3}, 1), add_b = random_tensor({4, 1, 1}, 2),
               shared_w = random_tensor({1, 2, 1, 1}, 3);
  ProtoWriter graph;
  auto node = [&](const char* op, std::vector<std::string> in, const char* out) {
    ProtoWriter n;
    for (const std::string& name : in) n.bytes(kNodeInput, name);
    n.bytes(kNodeOutput, out).bytes(kNodeOpType, op);
    graph.message(kGraphNode, n);
  };
  node("Conv", {"x", "conv_w"}, "c");
  node("Add", {"c", "add_b"}, "y");
  node("Conv", {"x", "shared_w"}, "s");
  node("Mul", {"s", "shared_w"}, "z");
  const std::vector<std::pair<std::string, const Tensor*>> initializers = {
      {"conv_w", &conv_w}, {"add_b", &add_b}, {"shared_w", &shared_w}};
  // Every byte offset of the data once mod 4, so that some land unaligned whatever the layout.
  for (int pad = 0; pad < 4; ++pad) {
    ProtoWriter g = graph;
    g.bytes(kGraphName, std::string(static_cast<size_t>(pad + 1), 'g'));
    for (const auto& [name, values] : initializers) {
      ProtoWriter t;
      t.bytes(kTensorName, name).varint(kTensorDataType, 1);
      t.packed_varints(kTensorDims, values->shape());
      t.bytes(kTensorRawData,
              std::string_view(static_cast<const char*>(values->raw()), values->nbytes()));
      g.message(kGraphInitializer, t);
    }
    const std::string file = model_around(g);
    std::shared_ptr<uint8_t> mapped(static_cast<uint8_t*>(std::aligned_alloc(64, file.size() + 64)),
                                    std::free);
    std::memcpy(mapped.get(), file.data(), file.size());
    auto model = read_onnx_model_from_memory(mapped.get(), file.size(), mapped, "");
    for (const Initializer& init : model->graph->initializers) {
      const Tensor& values = init.name == "conv_w"  ? conv_w
                             : init.name == "add_b" ? add_b
                                                    : shared_w;
      const uint8_t* at = find_bytes(file, mapped.get(), values);
      ASSERT_NE(at, nullptr);
      const bool unaligned = reinterpret_cast<uintptr_t>(at) % 4 != 0;
      EXPECT_EQ(is_deferred(init.tensor), unaligned && init.name == "conv_w")
          << init.name << " with pad " << pad;
      if (is_deferred(init.tensor)) {
        with_bytes(init.tensor, [&](const void* bytes) { EXPECT_EQ(bytes, at); });
        materialize(init.tensor);
      }
      EXPECT_TRUE(same_bytes(init.tensor, values)) << init.name << " with pad " << pad;
    }
  }
}

// Conv (-> BatchNormalization) -> Relu -> Conv, both weights given.
Model two_conv_model(const Tensor& w1, const Tensor& w2, bool batch_norm = false) {
  Model m = make_model();
  Graph& g = *m.graph;
  g.inputs.push_back(tensor_value("x", {1, 16, 9, 9}));
  g.initializers.push_back({"W1", w1});
  g.initializers.push_back({"W2", w2});
  g.initializers.push_back({"B2", random_tensor({16}, 3)});
  g.nodes.push_back(make_node("Conv", {"x", "W1"}, {"c"}, {ints_attr("pads", {1, 1, 1, 1})}));
  if (batch_norm) {
    g.initializers.push_back({"scale", random_tensor({16}, 5, 0.5f, 2.f)});
    g.initializers.push_back({"beta", random_tensor({16}, 6)});
    g.initializers.push_back({"mean", random_tensor({16}, 7)});
    g.initializers.push_back({"var", random_tensor({16}, 8, 0.1f, 3.f)});
    g.nodes.push_back(
        make_node("BatchNormalization", {"c", "scale", "beta", "mean", "var"}, {"n"}));
  }
  g.nodes.push_back(make_node("Relu", {batch_norm ? "n" : "c"}, {"r"}));
  g.nodes.push_back(make_node("Conv", {"r", "W2", "B2"}, {"y"}, {ints_attr("pads", {1, 1, 1, 1})}));
  g.outputs = {tensor_value("y", {1, 16, 9, 9})};
  return m;
}

std::vector<Tensor> run_session_like(Model& m, const KernelConfig& config, const Tensor& x) {
  optimize_model(m);
  auto compiled = compile_graph(m.graph, m, nullptr, &config);
  materialize_constants(*compiled);
  std::vector<Value> values = {Value(x)};
  auto plan = prepare_plan(compiled, values, config);
  std::vector<Tensor> out;
  for (Value& v : execute_plan(*plan, values)) out.push_back(std::move(v.tensor));
  return out;
}

void expect_close(const Tensor& got, const Tensor& want) {
  ASSERT_EQ(got.shape(), want.shape());
  for (int64_t i = 0; i < got.numel(); ++i)
    ASSERT_NEAR(got.data<float>()[i], want.data<float>()[i],
                1e-4f * (1.f + std::abs(want.data<float>()[i])))
        << i;
}

TEST(DeferredBytes, ConvKernelsPackFromTheFileAndOthersGetCopies) {
  const Tensor w1 = random_tensor({16, 16, 3, 3}, 1), w2 = random_tensor({16, 16, 3, 3}, 2);
  const Tensor x = random_tensor({1, 16, 9, 9}, 4);
  Model plain = two_conv_model(w1, w2);
  const std::vector<Tensor> want = run_model(plain, {x});

  // The oneDNN convs pack both weights where they lie: no copy is ever made.
  const Tensor fast_w1 = deferred_copy_of(w1), fast_w2 = deferred_copy_of(w2);
  Model fast = two_conv_model(fast_w1, fast_w2);
  KernelConfig fast_config;
  fast_config.threads = 2;
  expect_close(run_session_like(fast, fast_config, x).at(0), want.at(0));
  EXPECT_TRUE(is_deferred(fast_w1));
  EXPECT_TRUE(is_deferred(fast_w2));

  // The reference kernels read W as a tensor: compiling for them makes the copies.
  const Tensor ref_w1 = deferred_copy_of(w1), ref_w2 = deferred_copy_of(w2);
  Model reference = two_conv_model(ref_w1, ref_w2);
  expect_close(run_session_like(reference, {.reference_only = true}, x).at(0), want.at(0));
  EXPECT_FALSE(is_deferred(ref_w1));
  EXPECT_FALSE(is_deferred(ref_w2));

  // A rewrite that reads W (BatchNormalization folded into the first conv) gets the copy.
  Model plain_bn = two_conv_model(w1, w2, true);
  const std::vector<Tensor> want_bn = run_model(plain_bn, {x});
  const Tensor bn_w1 = deferred_copy_of(w1), bn_w2 = deferred_copy_of(w2);
  Model fast_bn = two_conv_model(bn_w1, bn_w2, true);
  expect_close(run_session_like(fast_bn, fast_config, x).at(0), want_bn.at(0));
  EXPECT_FALSE(is_deferred(bn_w1));  // folded: read by the rewrite
  EXPECT_TRUE(is_deferred(bn_w2));
}

TEST(DeferredBytes, Bf16WeightsConvertedFromTheFile) {
  // More than one staging chunk, and not a multiple of it.
  const Tensor w1 = random_tensor({16, 16, 3, 3}, 1), w2 = random_tensor({16, 16, 3, 3}, 2);
  OptimizeOptions bf16;
  bf16.bf16 = bf16.bf16_activations = true;
  Model plain = two_conv_model(w1, w2);
  optimize_model(plain, bf16);
  const Tensor deferred_w1 = deferred_copy_of(w1);
  Model deferred = two_conv_model(deferred_w1, deferred_copy_of(w2));
  optimize_model(deferred, bf16);
  EXPECT_TRUE(is_deferred(deferred_w1));  // converted without a float32 copy
  int converted = 0;
  for (const Initializer& want : plain.graph->initializers) {
    if (want.tensor.dtype() != DType::kBFloat16) continue;
    ++converted;
    bool found = false;
    for (const Initializer& got : deferred.graph->initializers)
      if (got.name == want.name) {
        found = true;
        EXPECT_TRUE(same_bytes(got.tensor, want.tensor)) << want.name;
      }
    EXPECT_TRUE(found) << want.name;
  }
  EXPECT_GE(converted, 2);  // both convs' W
}

}  // namespace
}  // namespace infera::testing

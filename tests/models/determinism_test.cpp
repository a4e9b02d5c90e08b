// Determinism on whole models (DESIGN.md): the same bits from run to run always, and with
// SessionOptions::deterministic the same bits for 1 and 2 threads and for a sample run alone
// or inside a batch of 32 (and for one sample on 8 threads). Bits, not tolerances: any change of
// reduction order shows up here. The zoo models come from the zoo_export test (build/models, or
// INFERA_ZOO_DIR).
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "data/idx.h"
#include "infera/infera.h"
#include "io/npy.h"

namespace infera::testing {
namespace {

constexpr int64_t kBatch = 32;

std::string model_path(const std::string& name) {
  if (name == "fashion_mnist")
    return INFERA_SOURCE_DIR "/models/fashion_mnist/fashion_mnist_cnn.onnx";
  const char* env = std::getenv("INFERA_ZOO_DIR");
  return std::string(env ? env : INFERA_SOURCE_DIR "/build/models") + "/" + name + ".onnx";
}

// kBatch different samples: Fashion-MNIST test images, or the zoo's exported input rows
// scaled and shifted a little differently per sample.
Tensor make_batch(const std::string& name) {
  if (name == "fashion_mnist") {
    IdxReader images("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz");
    Tensor pixels;
    images.next_batch(kBatch, pixels);
    Tensor x = Tensor::empty(DType::kFloat32, {kBatch, 1, 28, 28});
    for (int64_t i = 0; i < x.numel(); ++i)
      x.data<float>()[i] = static_cast<float>(pixels.data<uint8_t>()[i]) / 255.0f;
    return x;
  }
  const std::string path = model_path(name);
  const Tensor source = read_npy(path.substr(0, path.size() - 5) + ".input.npy");
  Shape shape = source.shape();
  shape[0] = kBatch;
  Tensor x = Tensor::empty(DType::kFloat32, shape);
  const int64_t row = source.numel() / source.dim(0);
  for (int64_t s = 0; s < kBatch; ++s) {
    const float* from = source.data<float>() + (s % source.dim(0)) * row;
    float* to = x.data<float>() + s * row;
    const float scale = 1.0f - 0.01f * static_cast<float>(s), shift = 0.02f * static_cast<float>(s);
    for (int64_t i = 0; i < row; ++i) to[i] = from[i] * scale + shift;
  }
  return x;
}

// Rows [first, first + count) of a tensor, as a tensor of their own.
Tensor rows(const Tensor& t, int64_t first, int64_t count) {
  Shape shape = t.shape();
  shape[0] = count;
  Tensor out = Tensor::empty(t.dtype(), shape);
  const size_t row_bytes = t.nbytes() / static_cast<size_t>(t.dim(0));
  std::memcpy(out.raw(), static_cast<const char*>(t.raw()) + first * row_bytes, count * row_bytes);
  return out;
}

// The index of the first differing float (by bits), or -1 when all bits agree.
int64_t first_difference(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape()) return 0;
  for (int64_t i = 0; i < a.numel(); ++i)
    if (std::memcmp(a.data<float>() + i, b.data<float>() + i, sizeof(float)) != 0) return i;
  return -1;
}

#define EXPECT_SAME_BITS(a, b, what)                                                           \
  do {                                                                                         \
    const int64_t at = first_difference(a, b);                                                 \
    EXPECT_EQ(at, -1) << what << ": first difference at element " << at << ": "                \
                      << (at >= 0 && (a).numel() > at ? (a).data<float>()[at] : 0.f) << " vs " \
                      << (at >= 0 && (b).numel() > at ? (b).data<float>()[at] : 0.f);          \
  } while (0)

Session load(const std::string& name, int threads, bool deterministic) {
  SessionOptions options;
  options.threads = threads;
  options.deterministic = deterministic;
  return Session::load(model_path(name), options);
}

class Determinism : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(model_path(GetParam())))
      GTEST_SKIP() << model_path(GetParam()) << " not exported";
  }
};

TEST_P(Determinism, TenRunsGiveTheSameBits) {
  const Session session = load(GetParam(), 2, false);
  const Tensor x = rows(make_batch(GetParam()), 0, 2);
  const Tensor first = session.run({x})[0];
  for (int r = 1; r < 10; ++r)
    EXPECT_SAME_BITS(session.run({x})[0], first, "run " << r << " vs run 0");
}

TEST_P(Determinism, OneAndTwoThreadsGiveTheSameBits) {
  const Tensor x = make_batch(GetParam());
  const Tensor one = load(GetParam(), 1, true).run({x})[0];
  const Tensor two = load(GetParam(), 2, true).run({x})[0];
  EXPECT_SAME_BITS(two, one, "2 threads vs 1 thread, batch " << kBatch);
}

// oneDNN's gemm convolution split its reduction among threads here (batch 1, 8 threads) before
// deterministic mode computed pointwise convs in fixed tiles.
TEST_P(Determinism, OneSampleOnOneAndEightThreadsGivesTheSameBits) {
  const Tensor x = rows(make_batch(GetParam()), 13, 1);
  const Tensor one = load(GetParam(), 1, true).run({x})[0];
  const Tensor eight = load(GetParam(), 8, true).run({x})[0];
  EXPECT_SAME_BITS(eight, one, "8 threads vs 1 thread, batch 1");
}

TEST_P(Determinism, SampleAloneEqualsItsRowInABatch) {
  const Session session = load(GetParam(), 2, true);
  const Tensor x = make_batch(GetParam());
  const Tensor batched = session.run({x})[0];
  for (int64_t s : {int64_t{0}, int64_t{13}, kBatch - 1}) {
    const Tensor alone = session.run({rows(x, s, 1)})[0];
    EXPECT_SAME_BITS(alone, rows(batched, s, 1), "sample " << s << " alone vs in the batch");
  }
}

INSTANTIATE_TEST_SUITE_P(Models, Determinism,
                         ::testing::Values("fashion_mnist", "squeezenet1_1", "mobilenet_v2",
                                           "efficientnet_b0", "resnet50", "transformer_encoder"));

}  // namespace
}  // namespace infera::testing

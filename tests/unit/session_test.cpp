// Session: plan cache, dynamic batch, determinism and concurrent runs on one session.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <thread>

#include "infera/infera.h"
#include "runtime/thread_governor.h"

namespace infera {
namespace {

const char* kModel = INFERA_SOURCE_DIR "/models/fashion_mnist/fashion_mnist_cnn.onnx";

Tensor random_images(int64_t n, uint32_t seed) {
  Tensor t = Tensor::empty(DType::kFloat32, {n, 1, 28, 28});
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = u(rng);
  return t;
}

TEST(Session, DescribesInputsAndOutputs) {
  Session s = Session::load(kModel);
  ASSERT_EQ(s.inputs().size(), 1u);
  EXPECT_EQ(s.inputs()[0].describe(), "float32 [batch, 1, 28, 28]");
  EXPECT_EQ(s.outputs()[0].name, "logits");
  EXPECT_GT(s.info().parameter_count, 10000);
}

TEST(Session, PlanIsCachedPerShapeAndArenaIsReported) {
  Session s = Session::load(kModel);
  PlanInfo one = s.prepare({Value(Tensor::meta(DType::kFloat32, {1, 1, 28, 28}))});
  PlanInfo eight = s.prepare({Value(Tensor::meta(DType::kFloat32, {8, 1, 28, 28}))});
  EXPECT_GT(one.arena_bytes, 0u);
  EXPECT_GT(eight.arena_bytes, one.arena_bytes);  // activations scale with the batch
  EXPECT_EQ(one.dynamic_nodes, 0);
  // The largest activation of one image: the second conv's 32 channels of 14x14 floats (the
  // first conv's 16 x 28 x 28 is pooled as it is computed, never stored: FusedConvMaxPool).
  EXPECT_GE(one.arena_bytes, 32u * 14 * 14 * 4);
}

TEST(Session, SampleResultDoesNotDependOnItsBatch) {
  Session s = Session::load(kModel);
  const Tensor batch = random_images(5, 42);
  const Tensor all = s.run({batch})[0];
  ASSERT_EQ(shape_to_string(all.shape()), "[5, 10]");
  for (int64_t i = 0; i < 5; ++i) {
    Tensor one = Tensor::empty(DType::kFloat32, {1, 1, 28, 28});
    std::memcpy(one.raw(), batch.data<float>() + i * 784, 784 * sizeof(float));
    const Tensor single = s.run({one})[0];
    EXPECT_EQ(std::memcmp(single.raw(), all.data<float>() + i * 10, 10 * sizeof(float)), 0)
        << "sample " << i << " differs when run alone";
  }
}

TEST(Session, ConcurrentRunsOnOneSessionAgreeBitwise) {
  Session s = Session::load(kModel);
  const Tensor input = random_images(3, 7);
  const Tensor expected = s.run({input})[0];
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < 25; ++k) {
        const Tensor got = s.run({input})[0];
        if (std::memcmp(got.raw(), expected.raw(), expected.nbytes()) != 0) ++mismatches[t];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

// warm_up runs until the thread count is chosen: with two threads in deterministic mode, the
// cold run, kSettleRuns measured ones, the one-thread try's cold run and its kTryRuns runs,
// and when that try won, kWindow runs on one thread and the confirming try of two; one thread
// has nothing to choose and stops after a cold and a warm run. It fails if warm_up stops
// before the governor has tried one thread, or before it has confirmed a move to it.
TEST(Session, WarmUpRunsUntilTheThreadCountIsChosen) {
  SessionOptions two;
  two.threads = 2;
  two.deterministic = true;
  const std::vector<Value> batch{Value(random_images(4, 7))};
  const int first_try = 1 + ThreadGovernor::kSettleRuns + 1 + ThreadGovernor::kTryRuns;
  const int confirmed = first_try + ThreadGovernor::kWindow + ThreadGovernor::kTryRuns;
  const int runs = Session::load(kModel, two).warm_up(batch);
  EXPECT_TRUE(runs == first_try || runs == confirmed)
      << runs << " runs; " << first_try << " or " << confirmed << " expected";
  SessionOptions one = two;
  one.threads = 1;
  EXPECT_EQ(Session::load(kModel, one).warm_up(batch), 2);
}

TEST(Session, RejectsWrongInputsNamingBothSides) {
  Session s = Session::load(kModel);
  try {
    s.run({Tensor::empty(DType::kFloat32, {1, 3, 28, 28})});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidArgument);
    EXPECT_STREQ(e.what(), "input 'image': expected float32 [batch, 1, 28, 28], got float32 [1, 3, 28, 28]");
  }
  EXPECT_THROW(s.run(std::vector<Tensor>{}), Error);
  EXPECT_THROW(s.run({Tensor::empty(DType::kInt64, {1, 1, 28, 28})}), Error);
}

}  // namespace
}  // namespace infera

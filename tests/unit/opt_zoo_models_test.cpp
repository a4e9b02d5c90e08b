// The rewrites on whole exported models: the same outputs with optimize on and off (reference
// kernels both times, so only the graph differs), and fewer nodes. The models are exported by
// the zoo_export test into build/models; point INFERA_ZOO_DIR at another folder to use those.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "infera/infera.h"
#include "io/npy.h"
#include "opt_test_util.h"

namespace infera::testing {
namespace {

std::string zoo_dir() {
  const char* env = std::getenv("INFERA_ZOO_DIR");
  return env ? env : INFERA_SOURCE_DIR "/build/models";
}

class OptZooModels : public ::testing::TestWithParam<const char*> {};

TEST_P(OptZooModels, SameOutputsFewerNodes) {
  const std::string base = zoo_dir() + "/" + GetParam();
  if (!std::filesystem::exists(base + ".onnx")) GTEST_SKIP() << base << ".onnx not exported";
  SessionOptions plain;
  plain.reference_kernels = true;
  plain.optimize = false;
  SessionOptions optimized = plain;
  optimized.optimize = true;
  Session before = Session::load(base + ".onnx", plain);
  Session after = Session::load(base + ".onnx", optimized);
  const Tensor input = read_npy(base + ".input.npy");
  const std::vector<Tensor> want = before.run({input});
  const std::vector<Tensor> got = after.run({input});
  ASSERT_EQ(got.size(), want.size());
  for (size_t k = 0; k < want.size(); ++k) expect_close(got[k], want[k]);
  EXPECT_LT(after.info().node_count, before.info().node_count);
  std::printf("%s: %d nodes -> %d\n", GetParam(), before.info().node_count,
              after.info().node_count);
}

INSTANTIATE_TEST_SUITE_P(Zoo, OptZooModels,
                         ::testing::Values("squeezenet1_1", "mobilenet_v2", "efficientnet_b0",
                                           "transformer_encoder"));

}  // namespace
}  // namespace infera::testing

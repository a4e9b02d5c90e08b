// oneDNN MatMul / Gemm / FusedMatMul / FusedGemm variants against the reference kernels.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "variant_harness.h"

namespace infera::testing {
namespace {

Tensor random_tensor(Shape shape, uint32_t seed) {
  return lcg_tensor(std::move(shape), seed, 7);
}

struct MatMulCase {
  Shape a, b;
};

const MatMulCase kMatMulCases[] = {
    {{7, 13}, {13, 5}},
    {{3, 7, 13}, {13, 5}},
    {{2, 1, 7, 9}, {3, 9, 11}},
    {{13}, {13, 6}},
    {{4, 5, 13}, {13}},
    {{1, 1, 33}, {33, 65}},
    {{2, 3, 4, 6}, {2, 3, 6, 2}},
    // B shared by every batch: run as one [batch * M, K] GEMM (one of them big enough for two
    // threads, so both thread choices are covered).
    {{40, 1, 24}, {1, 24, 19}},
    {{2, 1, 7, 9}, {1, 9, 11}},
    {{1, 160, 96}, {96, 150}},
    // A broadcast while B is not: stays batched.
    {{1, 7, 9}, {3, 9, 11}},
};

TEST(OneDnnMatMul, MatchesReference) {
  for (const MatMulCase& c : kMatMulCases) {
    for (bool constant_b : {false, true}) {
      for (bool planned : {false, true}) {
        std::vector<Tensor> in{random_tensor(c.a, 1), random_tensor(c.b, 2)};
        Node node = make_node("MatMul", 2, 1, {});
        const Tensor expected = run_kernel(node, 17, in, 1)[0];
        KernelConfig two_threads;
        two_threads.threads = 2;
        VariantResult r = run_variant(node, 17, in, {false, constant_b}, 1, two_threads, planned);
        SCOPED_TRACE(shape_to_string(c.a) + " @ " + shape_to_string(c.b));
        EXPECT_EQ(r.kernel_name, "matmul_f32_onednn");
        expect_close(expected, r.outputs[0], 1e-4f);
      }
    }
  }
}

TEST(OneDnnMatMul, FusedMatMulBiasAndActivation) {
  std::vector<Tensor> in{random_tensor({2, 5, 9}, 1), random_tensor({9, 7}, 2),
                         random_tensor({7}, 3)};
  Tensor expected = run_kernel(make_node("MatMul", 2, 1, {}), 17, {in[0], in[1]}, 1)[0];
  for (int64_t i = 0; i < expected.numel(); ++i) {
    float& v = expected.data<float>()[i];
    v = std::min(std::max(v + in[2].data<float>()[i % 7], 0.f), 0.5f);
  }
  Node node =
      make_node("FusedMatMul", 3, 1,
                {string_attr("activation", "Clip"), floats_attr("activation_params", {0.f, 0.5f})},
                "com.infera");
  expect_close(expected, run_variant(node, 1, in, {false, true, false}, 1).outputs[0], 1e-4f);
}

struct GemmCase {
  Shape a, b, c;
  int trans_a, trans_b;
  float alpha, beta;
};

TEST(OneDnnGemm, MatchesReference) {
  const GemmCase cases[] = {
      {{7, 13}, {13, 5}, {5}, 0, 0, 1.f, 1.f},    {{13, 7}, {5, 13}, {7, 5}, 1, 1, 0.5f, 1.f},
      {{3, 17}, {9, 17}, {1, 9}, 0, 1, 2.f, 1.f}, {{3, 17}, {17, 9}, {}, 0, 0, 1.f, 0.f},
      {{4, 6}, {6, 3}, {4, 3}, 0, 0, 1.f, 0.25f}, {{1, 64}, {10, 64}, {10}, 0, 1, 1.f, 1.f},
      {{4, 6}, {6, 3}, {4, 1}, 0, 0, 1.f, 1.f},
  };
  for (const GemmCase& c : cases) {
    for (bool constant_b : {false, true}) {
      std::vector<Tensor> in{random_tensor(c.a, 1), random_tensor(c.b, 2)};
      if (!c.c.empty() || c.beta != 0.f) in.push_back(random_tensor(c.c, 3));
      Node node = make_node("Gemm", static_cast<int>(in.size()), 1,
                            {int_attr("transA", c.trans_a), int_attr("transB", c.trans_b),
                             float_attr("alpha", c.alpha), float_attr("beta", c.beta)});
      const Tensor expected = run_kernel(node, 13, in, 1)[0];
      VariantResult r = run_variant(node, 13, in, {false, constant_b, false}, 1);
      SCOPED_TRACE(shape_to_string(c.a) + " x " + shape_to_string(c.b));
      EXPECT_EQ(r.kernel_name, "gemm_f32_onednn");
      expect_close(expected, r.outputs[0], 1e-4f);
    }
  }
}

TEST(OneDnnGemm, FusedGemmRelu) {
  std::vector<Tensor> in{random_tensor({3, 11}, 1), random_tensor({6, 11}, 2),
                         random_tensor({6}, 3)};
  Node gemm = make_node("Gemm", 3, 1, {int_attr("transB", 1)});
  Tensor expected = run_kernel(gemm, 13, in, 1)[0];
  for (int64_t i = 0; i < expected.numel(); ++i)
    expected.data<float>()[i] = std::max(expected.data<float>()[i], 0.f);
  Node node = make_node("FusedGemm", 3, 1,
                        {int_attr("transB", 1), string_attr("activation", "Relu")}, "com.infera");
  expect_close(expected, run_variant(node, 1, in, {false, true, false}, 1).outputs[0], 1e-4f);
}

TEST(OneDnnMatMul, Bf16IsClose) {
  KernelConfig config;
  config.bf16 = true;
  std::vector<Tensor> in{random_tensor({3, 7, 40}, 1), random_tensor({40, 9}, 2)};
  Node node = make_node("MatMul", 2, 1, {});
  const Tensor expected = run_kernel(node, 17, in, 1)[0];
  for (bool constant_b : {false, true})
    expect_close(expected, run_variant(node, 17, in, {false, constant_b}, 1, config).outputs[0],
                 0.1f);
}

}  // namespace
}  // namespace infera::testing

// oneDNN Cast variant (float32 <-> bfloat16) against the reference Cast: the same bits, ties
// rounding to even, infinities and NaN kept; other types go to the reference.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "variant_harness.h"

namespace infera::testing {
namespace {

// Above kMinParallelMacs elements, so the reorder runs on two threads.
constexpr int64_t kElements = (1 << 21) + 37;

Tensor float_input() {
  Tensor x = lcg_tensor({kElements}, 3, 17);
  float* v = x.data<float>();
  for (int64_t i = 0; i < x.numel(); i += 7) v[i] *= 1e30f;  // large, and below
  for (int64_t i = 3; i < x.numel(); i += 11) v[i] *= 1e-30f;
  // Exact ties between two bfloat16 values: 1 + 2^-8 rounds down to 1, 1 + 3 * 2^-8 up.
  v[1] = 1.f + 1.f / 256;
  v[2] = 1.f + 3.f / 256;
  v[4] = std::numeric_limits<float>::infinity();
  v[5] = -std::numeric_limits<float>::infinity();
  v[6] = std::numeric_limits<float>::quiet_NaN();
  return x;
}

void expect_same_bits(const Tensor& want, const Tensor& got) {
  ASSERT_EQ(want.dtype(), got.dtype());
  ASSERT_EQ(want.shape(), got.shape());
  const auto* a = static_cast<const uint8_t*>(want.raw());
  const auto* b = static_cast<const uint8_t*>(got.raw());
  const size_t elem = dtype_size(want.dtype());
  for (int64_t i = 0; i < want.numel(); ++i) {
    // Any NaN is a NaN: the payload need not match.
    if (want.dtype() == DType::kFloat32 && std::isnan(want.data<float>()[i])) {
      EXPECT_TRUE(std::isnan(got.data<float>()[i])) << "at element " << i;
      continue;
    }
    if (want.dtype() == DType::kBFloat16 && (want.data<uint16_t>()[i] & 0x7fff) > 0x7f80) {
      EXPECT_GT(got.data<uint16_t>()[i] & 0x7fff, 0x7f80) << "at element " << i;
      continue;
    }
    ASSERT_EQ(std::memcmp(a + i * elem, b + i * elem, elem), 0) << "at element " << i;
  }
}

TEST(OneDnnCast, FloatToBfloat16AndBackMatchReferenceBits) {
  KernelConfig config;
  config.threads = 2;
  const std::vector<Tensor> x{float_input()};
  const Node to_bf16 = make_node("Cast", 1, 1, {int_attr("to", 16)});
  const Tensor want_bf16 = run_kernel(to_bf16, 17, x, 1)[0];
  VariantResult got_bf16 = run_variant(to_bf16, 17, x, {}, 1, config);
  EXPECT_EQ(got_bf16.kernel_name, "cast_f32_bf16_onednn");
  expect_same_bits(want_bf16, got_bf16.outputs[0]);
  EXPECT_EQ(got_bf16.outputs[0].data<uint16_t>()[1], 0x3f80);  // the tie went to even: 1.0
  EXPECT_EQ(got_bf16.outputs[0].data<uint16_t>()[2], 0x3f82);

  const Node to_float = make_node("Cast", 1, 1, {int_attr("to", 1)});
  const std::vector<Tensor> bf16{want_bf16};
  const Tensor want_float = run_kernel(to_float, 17, bf16, 1)[0];
  VariantResult got_float = run_variant(to_float, 17, bf16, {}, 1, config);
  EXPECT_EQ(got_float.kernel_name, "cast_f32_bf16_onednn");
  expect_same_bits(want_float, got_float.outputs[0]);
}

TEST(OneDnnCast, OtherTypesGoToTheReference) {
  const std::vector<Tensor> x{lcg_tensor({5, 3}, 1, 17)};
  const Node to_int = make_node("Cast", 1, 1, {int_attr("to", 6)});
  EXPECT_EQ(run_variant(to_int, 17, x, {}, 1).kernel_name, "reference");
  // float32 to float32 is a copy the variant does not plan: the reference does it.
  const Node to_float = make_node("Cast", 1, 1, {int_attr("to", 1)});
  VariantResult same = run_variant(to_float, 17, x, {}, 1);
  expect_same_bits(x[0], same.outputs[0]);
}

}  // namespace
}  // namespace infera::testing

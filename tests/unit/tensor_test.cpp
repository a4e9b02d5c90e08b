#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "core/half.h"
#include "infera/error.h"
#include "infera/tensor.h"

namespace infera {

TEST(Float16, RoundTripsEveryHalfValue) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float f = half_to_float(static_cast<uint16_t>(h));
    if (std::isnan(f)) continue;
    EXPECT_EQ(float_to_half(f), h) << "half bits " << h;
  }
}

TEST(Float16, KnownValues) {
  EXPECT_EQ(float_to_half(1.0f), 0x3c00);
  EXPECT_EQ(float_to_half(-2.0f), 0xc000);
  EXPECT_EQ(float_to_half(65504.0f), 0x7bff);
  EXPECT_EQ(float_to_half(1e6f), 0x7c00);
  EXPECT_EQ(float_to_half(5.9604645e-08f), 0x0001);  // smallest subnormal
  EXPECT_EQ(float_to_half(1.0f + 1.0f / 2048), 0x3c00);  // tie rounds to even
  EXPECT_FLOAT_EQ(half_to_float(0x3555), 0.333251953125f);
}

TEST(BFloat16, RoundsToNearestEven) {
  EXPECT_EQ(float_to_bfloat16(1.0f), 0x3f80);
  float f;
  uint32_t bits = 0x3f808000;  // exactly halfway between 0x3f80 and 0x3f81
  std::memcpy(&f, &bits, 4);
  EXPECT_EQ(float_to_bfloat16(f), 0x3f80);
  bits = 0x3f818000;
  std::memcpy(&f, &bits, 4);
  EXPECT_EQ(float_to_bfloat16(f), 0x3f82);
  EXPECT_FLOAT_EQ(bfloat16_to_float(0x4049), 3.140625f);
}

TEST(Tensor, EmptyIsZeroedAndShaped) {
  Tensor t = Tensor::empty(DType::kFloat32, {2, 3});
  EXPECT_EQ(t.numel(), 6);
  EXPECT_EQ(t.nbytes(), 24u);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(t.data<float>()[i], 0.0f);
  EXPECT_EQ(shape_to_string(t.shape()), "[2, 3]");
}

TEST(Tensor, RefusesOverflowingShapes) {
  EXPECT_THROW(Tensor::empty(DType::kFloat32, {int64_t{1} << 40, int64_t{1} << 40}), Error);
  EXPECT_THROW(Tensor::empty(DType::kFloat32, {-1}), Error);
}

}  // namespace infera

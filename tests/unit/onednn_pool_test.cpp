// oneDNN MaxPool / AveragePool / GlobalAveragePool variants against the reference kernels.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "variant_harness.h"

namespace infera::testing {
namespace {

Tensor random_tensor(Shape shape, uint32_t seed) {
  return lcg_tensor(std::move(shape), seed, 11);
}

struct PoolCase {
  const char* op;
  Shape x;
  std::vector<Attribute> attrs;
  // False where oneDNN has no equivalent window and the reference computes.
  bool onednn = true;
};

TEST(OneDnnPool, MatchesReferenceOnOddShapes) {
  const PoolCase cases[] = {
      {"MaxPool",
       {1, 3, 11, 9},
       {ints_attr("kernel_shape", {3, 3}), ints_attr("strides", {2, 2}),
        ints_attr("pads", {1, 1, 1, 1})}},
      {"MaxPool",
       {2, 4, 10, 7},
       {ints_attr("kernel_shape", {3, 2}), ints_attr("strides", {2, 2}), int_attr("ceil_mode", 1)}},
      {"MaxPool",
       {1, 2, 12, 12},
       {ints_attr("kernel_shape", {2, 2}), ints_attr("dilations", {2, 2})}},
      {"MaxPool",
       {1, 3, 17},
       {ints_attr("kernel_shape", {4}), ints_attr("strides", {3}),
        string_attr("auto_pad", "SAME_UPPER")}},
      {"AveragePool",
       {1, 3, 9, 8},
       {ints_attr("kernel_shape", {3, 3}), ints_attr("pads", {1, 1, 1, 1})}},
      {"AveragePool",
       {1, 3, 9, 8},
       {ints_attr("kernel_shape", {3, 3}), ints_attr("pads", {1, 0, 1, 2}),
        int_attr("count_include_pad", 1)}},
      {"AveragePool",
       {2, 2, 10, 7},
       {ints_attr("kernel_shape", {3, 3}), ints_attr("strides", {2, 2}), int_attr("ceil_mode", 1)}},
      // ceil_mode's last window runs past the padding, which count_include_pad would count:
      // oneDNN counts padding only as declared.
      {"AveragePool",
       {1, 2, 10, 7},
       {ints_attr("kernel_shape", {3, 3}), ints_attr("strides", {2, 2}), int_attr("ceil_mode", 1),
        int_attr("count_include_pad", 1)},
       false},
      {"GlobalAveragePool", {2, 5, 7, 3}, {}},
      {"GlobalAveragePool", {1, 9, 13}, {}},
  };
  for (const PoolCase& c : cases) {
    SCOPED_TRACE(std::string(c.op) + " " + shape_to_string(c.x));
    std::vector<Tensor> in{random_tensor(c.x, 5)};
    Node node = make_node(c.op, 1, 1, c.attrs);
    const Tensor expected = run_kernel(node, 17, in, 1)[0];
    VariantResult r = run_variant(node, 17, in, {}, 1);
    if (c.onednn)
      EXPECT_TRUE(r.kernel_name.ends_with("_f32_onednn")) << r.kernel_name;
    else
      EXPECT_EQ(r.kernel_name, "reference");
    ASSERT_EQ(expected.shape(), r.outputs[0].shape());
    for (int64_t i = 0; i < expected.numel(); ++i)
      ASSERT_NEAR(expected.data<float>()[i], r.outputs[0].data<float>()[i], 1e-5f) << i;
  }
}

}  // namespace
}  // namespace infera::testing

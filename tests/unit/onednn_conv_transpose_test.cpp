// oneDNN ConvTranspose variant against the reference kernel on odd shapes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "variant_harness.h"

namespace infera::testing {
namespace {

Tensor random_tensor(Shape shape, uint32_t seed) {
  return lcg_tensor(std::move(shape), seed, 3);
}

struct DeconvCase {
  Shape x, w;
  std::vector<Attribute> attrs;
  bool bias;
};

TEST(OneDnnConvTranspose, MatchesReferenceOnOddShapes) {
  const DeconvCase cases[] = {
      {{1, 3, 5, 6}, {3, 4, 3, 3}, {ints_attr("strides", {2, 2})}, true},
      {{2, 4, 5, 4},
       {4, 3, 3, 2},
       {int_attr("group", 2), ints_attr("pads", {1, 0, 1, 1}), ints_attr("strides", {2, 1})},
       false},
      {{1, 2, 7}, {2, 5, 4}, {ints_attr("strides", {3}), ints_attr("output_padding", {1})}, true},
      {{1, 3, 4, 4},
       {3, 2, 3, 3},
       {ints_attr("strides", {2, 2}), ints_attr("dilations", {2, 1}),
        ints_attr("output_shape", {10, 9})},
       true},
      {{1, 2, 3, 4},
       {2, 2, 3, 3},
       {string_attr("auto_pad", "SAME_UPPER"), ints_attr("strides", {2, 2})},
       true},
  };
  for (const DeconvCase& c : cases) {
    SCOPED_TRACE(shape_to_string(c.x) + " * " + shape_to_string(c.w));
    std::vector<Tensor> in{random_tensor(c.x, 1), random_tensor(c.w, 2)};
    const int64_t m = c.w[1] * (c.attrs.size() && c.attrs[0].name == "group" ? c.attrs[0].i : 1);
    if (c.bias) in.push_back(random_tensor({m}, 3));
    Node node = make_node("ConvTranspose", static_cast<int>(in.size()), 1, c.attrs);
    const Tensor expected = run_kernel(node, 17, in, 1)[0];
    VariantResult r = run_variant(node, 17, in, {false, true, false}, 1);
    EXPECT_EQ(r.kernel_name, "conv_transpose_f32_onednn");
    ASSERT_EQ(expected.shape(), r.outputs[0].shape());
    for (int64_t i = 0; i < expected.numel(); ++i)
      ASSERT_NEAR(expected.data<float>()[i], r.outputs[0].data<float>()[i], 1e-4f) << i;
  }
}

}  // namespace
}  // namespace infera::testing

// The fast float32 variants (src/ops/cpu/) against the reference kernels, on odd shapes, at
// every SIMD level this CPU has, with one and two threads.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <random>

#include "kernel_harness.h"
#include "ops/cpu/simd/dispatch.h"

namespace infera {
namespace {

using namespace infera::testing;
using simd::SimdLevel;

class ThreadedRunContext final : public RunContext {
 public:
  ThreadedRunContext(const Node& node, std::vector<Value>& in, std::vector<Tensor>& out,
                     int threads)
      : node_(node), in_(in), out_(out), threads_(threads) {}
  int num_inputs() const override { return static_cast<int>(in_.size()); }
  bool has_input(int i) const override { return i < num_inputs() && in_[i].tensor.defined(); }
  const Value& input_value(int i) const override { return in_[i]; }
  int num_outputs() const override { return static_cast<int>(out_.size()); }
  bool has_output(int i) const override { return i < num_outputs(); }
  Tensor& output(int i) override { return out_[i]; }
  Tensor& allocate_output(int i, DType dtype, const Shape& shape) override {
    return out_[i] = Tensor::empty(dtype, shape);
  }
  void set_output_value(int, Value) override { throw std::logic_error("not supported"); }
  std::vector<Value> run_subgraph(const Subgraph&, const std::vector<Value>&) override {
    throw std::logic_error("not supported");
  }
  const Node& node() const override { return node_; }
  int threads() const override { return threads_; }

 private:
  const Node& node_;
  std::vector<Value>& in_;
  std::vector<Tensor>& out_;
  int threads_;
};

// Runs the highest-priority variant for the node (it must exist and apply) or the reference.
std::vector<Tensor> run(const Node& node, int64_t opset, const std::vector<Tensor>& inputs,
                        bool fast, int threads = 1, int num_outputs = 1) {
  KernelInit init(node, opset, nullptr, nullptr);
  std::unique_ptr<OpKernel> kernel;
  if (fast) {
    for (const OpRegistration* r : find_op_variants("", node.op_type, opset))
      if (r->priority > 0 && (kernel = r->factory(init))) break;
    EXPECT_TRUE(kernel) << "no fast variant for " << node.op_type;
    if (!kernel) return {};
    EXPECT_NE(kernel->kernel_name(), "reference");
  } else {
    kernel = find_op("", node.op_type, opset)->factory(init);
  }
  std::vector<Value> values(inputs.begin(), inputs.end());
  std::vector<const Value*> ptrs;
  for (const Value& v : values) ptrs.push_back(v.tensor.defined() ? &v : nullptr);
  HarnessInferContext ictx(node, ptrs.data(), static_cast<int>(ptrs.size()), num_outputs);
  kernel->infer(ictx);
  std::vector<Tensor> outputs;
  for (int i = 0; i < num_outputs; ++i)
    outputs.push_back(Tensor::empty(ictx.dtypes[i], ictx.shapes[i]));
  ThreadedRunContext rctx(node, values, outputs, threads);
  kernel->run(rctx);
  return outputs;
}

Tensor random_tensor(Shape shape, float lo, float hi, uint32_t seed) {
  Tensor t = Tensor::empty(DType::kFloat32, std::move(shape));
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = dist(gen);
  return t;
}

void expect_close(const Tensor& fast, const Tensor& ref, double rtol, double atol,
                  const std::string& what) {
  ASSERT_EQ(fast.shape(), ref.shape()) << what;
  ASSERT_EQ(fast.dtype(), ref.dtype()) << what;
  int bad = 0;
  for (int64_t i = 0; i < ref.numel() && bad < 5; ++i) {
    const double a = fast.data<float>()[i], b = ref.data<float>()[i];
    if (std::isnan(a) && std::isnan(b)) continue;
    if (!(std::fabs(a - b) <= atol + rtol * std::fabs(b))) {
      ADD_FAILURE() << what << " at " << i << ": fast " << a << " reference " << b;
      ++bad;
    }
  }
}

void expect_bitwise(const Tensor& a, const Tensor& b, const std::string& what) {
  ASSERT_EQ(a.shape(), b.shape()) << what;
  ASSERT_EQ(a.nbytes(), b.nbytes()) << what;
  EXPECT_EQ(0, std::memcmp(a.raw(), b.raw(), a.nbytes())) << what;
}

// Runs the body once per SIMD level the CPU supports, then restores the best.
template <class F>
void for_each_level(F body) {
  for (SimdLevel level : {SimdLevel::kPortable, SimdLevel::kAvx2, SimdLevel::kAvx512}) {
    if (static_cast<int>(level) > static_cast<int>(simd::best_supported_simd_level())) continue;
    simd::force_simd_level_for_testing(level);
    body(std::string(" [") + simd::simd_kernels().isa + "]");
  }
  simd::force_simd_level_for_testing(simd::best_supported_simd_level());
}

const std::vector<Shape> kOddShapes = {{}, {1}, {7}, {17}, {3, 5, 33}, {2, 3, 4, 5, 7}};

TEST(SimdOps, UnaryMatchReference) {
  struct Case {
    const char* op;
    std::vector<Attribute> attrs;
    float lo, hi;
  };
  const std::vector<Case> cases = {
      {"Relu", {}, -3, 3},
      {"Sigmoid", {}, -20, 20},
      {"Tanh", {}, -6, 6},
      {"Tanh", {}, -0.3f, 0.3f},
      {"Erf", {}, -4, 4},
      {"Erf", {}, -0.7f, 0.7f},
      {"Exp", {}, -80, 80},
      {"HardSwish", {}, -5, 5},
      {"HardSigmoid", {float_attr("alpha", 0.3f), float_attr("beta", 0.4f)}, -5, 5},
      {"LeakyRelu", {float_attr("alpha", 0.1f)}, -3, 3},
      {"Clip", {float_attr("min", -0.5f), float_attr("max", 0.7f)}, -2, 2}};
  for_each_level([&](const std::string& isa) {
    for (const Case& c : cases) {
      const int64_t opset = std::string(c.op) == "Clip" ? 6 : 13;
      const Node node = make_node(c.op, 1, 1, c.attrs);
      for (const Shape& shape : kOddShapes) {
        const Tensor x = random_tensor(shape, c.lo, c.hi, 7);
        expect_close(run(node, opset, {x}, true)[0], run(node, opset, {x}, false)[0], 2e-6, 1e-7,
                     std::string(c.op) + " " + shape_to_string(shape) + isa);
      }
    }
  });
}

TEST(SimdOps, ClipBoundsFromInputs) {
  const Node node = make_node("Clip", 3, 1, {});
  const Tensor x = random_tensor({5, 37}, -3, 3, 3);
  const Tensor lo = make_tensor<float>(DType::kFloat32, {}, {-1.5f});
  const Tensor hi = make_tensor<float>(DType::kFloat32, {}, {0.25f});
  for_each_level([&](const std::string& isa) {
    expect_bitwise(run(node, 13, {x, lo, hi}, true)[0], run(node, 13, {x, lo, hi}, false)[0],
                   "clip" + isa);
    expect_bitwise(run(node, 13, {x, Tensor(), hi}, true)[0],
                   run(node, 13, {x, Tensor(), hi}, false)[0], "clip max only" + isa);
  });
}

TEST(SimdOps, ExpIsWithinTwoUlps) {
  for_each_level([&](const std::string& isa) {
    std::vector<float> xs;
    for (float x = -103.0f; x < 88.7f; x += 0.0137f) xs.push_back(x);
    std::vector<float> ys(xs.size());
    simd::simd_kernels().unary[int(simd::UnaryOp::kExp)](xs.data(), ys.data(), int64_t(xs.size()),
                                                         {});
    int64_t worst = 0;
    for (size_t i = 0; i < xs.size(); ++i) {
      const float want = static_cast<float>(std::exp(static_cast<double>(xs[i])));
      if (want < 1.2e-38f) continue;  // subnormal results: absolute error is what counts there
      worst = std::max<int64_t>(
          worst, std::abs(std::bit_cast<int32_t>(ys[i]) - std::bit_cast<int32_t>(want)));
    }
    EXPECT_LE(worst, 2) << isa;
  });
}

// FusedConv's SiLU pass (conv_onednn.cpp) trades the divide for a refined reciprocal estimate:
// within 4 ulps of x / (1 + e^-x) in double, over the whole float range; where e^-x overflows
// the answer is a tiny number of x's sign, and NaN stays NaN. (-inf is left out: x * sigmoid(x)
// is NaN there in PyTorch, and the levels differ.)
TEST(SimdOps, SiluIsWithinFourUlps) {
  for_each_level([&](const std::string& isa) {
    std::vector<float> xs;
    for (float x = -120.0f; x < 120.0f; x += 0.0173f) xs.push_back(x);
    for (float x : {0.0f, -0.0f, 1e-30f, -1e-30f, 3e38f, -3e38f, INFINITY, NAN})
      xs.push_back(x);
    std::vector<float> ys(xs.size());
    simd::simd_kernels().unary[int(simd::UnaryOp::kSiLU)](xs.data(), ys.data(), int64_t(xs.size()),
                                                          {});
    int64_t worst = 0;
    for (size_t i = 0; i < xs.size(); ++i) {
      const double x = xs[i];
      if (std::isnan(x)) {
        EXPECT_TRUE(std::isnan(ys[i])) << isa;
        continue;
      }
      const float want = static_cast<float>(x <= -87 ? 0.0 : x / (1.0 + std::exp(-x)));
      if (x <= -87) {  // e^-x capped at e^88: a value of x's sign, negligible in size
        EXPECT_LE(ys[i], 0.0f) << x << isa;
        EXPECT_GE(ys[i], static_cast<float>(x) * 1e-37f) << x << isa;
        continue;
      }
      worst = std::max<int64_t>(
          worst, std::abs(std::bit_cast<int32_t>(ys[i]) - std::bit_cast<int32_t>(want)));
    }
    EXPECT_LE(worst, 4) << isa;
  });
}

// The squeeze-and-excitation product at every level: long and short sums, partial vectors.
TEST(SimdOps, VectorMatrixMatchesDoubleSums) {
  for_each_level([&](const std::string& isa) {
    const std::vector<std::pair<int64_t, int64_t>> shapes = {{200, 20}, {48, 130}, {5, 3}};
    for (const auto& [k, n] : shapes) {
      const int64_t stride = (n + 15) / 16 * 16;
      const Tensor x = random_tensor({k}, -1, 1, 1), bias = random_tensor({n}, -1, 1, 2);
      const Tensor w = random_tensor({k, n}, -1, 1, 3);
      std::vector<float> padded(static_cast<size_t>(k * stride), 0.f), y(static_cast<size_t>(n));
      for (int64_t i = 0; i < k; ++i)
        for (int64_t j = 0; j < n; ++j) padded[i * stride + j] = w.data<float>()[i * n + j];
      simd::simd_kernels().vector_matrix(x.data<float>(), 1, padded.data(), stride,
                                         bias.data<float>(), k, n, y.data());
      for (int64_t j = 0; j < n; ++j) {
        double want = bias.data<float>()[j];
        for (int64_t i = 0; i < k; ++i)
          want += double(x.data<float>()[i]) * w.data<float>()[i * n + j];
        EXPECT_NEAR(y[j], want, 1e-5 * (1 + std::abs(want)))
            << k << "x" << n << " col " << j << isa;
      }
    }
  });
}

TEST(SimdOps, BinaryBroadcastsMatchReference) {
  const std::vector<std::pair<Shape, Shape>> shapes = {{{3, 5, 17}, {3, 5, 17}},
                                                       {{}, {2, 3, 19}},
                                                       {{2, 3, 19}, {}},
                                                       {{2, 5, 3, 7}, {1, 5, 1, 1}},
                                                       {{5, 1, 1}, {2, 5, 3, 7}},
                                                       {{4, 33}, {33}},
                                                       {{33}, {4, 33}},
                                                       {{5, 1}, {1, 6}},
                                                       {{2, 3, 4}, {2, 1, 4}},
                                                       {{2, 3, 4, 5}, {2, 1, 4, 1}},
                                                       {{1}, {}},
                                                       {{1, 8, 1, 1}, {1, 8, 1, 1}},
                                                       {{2, 3, 5000}, {3, 1}},
                                                       // short rows run many to a call
                                                       {{2, 9, 130, 48}, {2, 1, 1, 48}},
                                                       {{3, 200, 7}, {3, 1, 7}},
                                                       {{2, 40, 300, 3}, {1, 40, 1, 1}}};
  for_each_level([&](const std::string& isa) {
    for (const char* op : {"Add", "Sub", "Mul", "Div"}) {
      const Node node = make_node(op, 2, 1, {});
      for (const auto& [sa, sb] : shapes) {
        const Tensor a = random_tensor(sa, -2, 2, 1), b = random_tensor(sb, 0.5f, 2, 2);
        const std::string what =
            std::string(op) + " " + shape_to_string(sa) + " " + shape_to_string(sb) + isa;
        expect_bitwise(run(node, 14, {a, b}, true, 2)[0], run(node, 14, {a, b}, false)[0], what);
      }
    }
  });
}

TEST(SimdOps, SoftmaxMatchesReference) {
  for_each_level([&](const std::string& isa) {
    for (const Shape& shape : std::vector<Shape>{{1, 7}, {3, 33}, {2, 3, 100}, {5}, {4, 1}}) {
      const Tensor x = random_tensor(shape, -10, 10, 4);
      const Node last = make_node("Softmax", 1, 1, {});
      expect_close(run(last, 13, {x}, true)[0], run(last, 13, {x}, false)[0], 1e-5, 1e-9,
                   "softmax " + shape_to_string(shape) + isa);
    }
    const Tensor x = random_tensor({2, 3, 5}, -5, 5, 5);
    const Node axis1 = make_node("Softmax", 1, 1, {int_attr("axis", 1)});
    expect_close(run(axis1, 11, {x}, true)[0], run(axis1, 11, {x}, false)[0], 1e-5, 1e-9,
                 "coerced 2-D" + isa);
    expect_close(run(axis1, 13, {x}, true)[0], run(axis1, 13, {x}, false)[0], 1e-6, 0,
                 "middle axis" + isa);
  });
}

TEST(SimdOps, LayerNormalizationMatchesReference) {
  for_each_level([&](const std::string& isa) {
    const Tensor x = random_tensor({4, 3, 37}, -3, 5, 6);
    const Tensor scale = random_tensor({37}, 0.5f, 1.5f, 7), bias = random_tensor({37}, -1, 1, 8);
    const Node node = make_node("LayerNormalization", 3, 3, {float_attr("epsilon", 1e-5f)});
    const auto fast = run(node, 17, {x, scale, bias}, true, 2, 3);
    const auto ref = run(node, 17, {x, scale, bias}, false, 1, 3);
    for (int i = 0; i < 3; ++i)
      expect_close(fast[i], ref[i], 1e-5, 1e-5, "layernorm output " + std::to_string(i) + isa);
    const Node no_bias = make_node("LayerNormalization", 2, 1, {int_attr("axis", -2)});
    const Tensor scale2 = random_tensor({3, 37}, 0.5f, 1.5f, 9);
    expect_close(run(no_bias, 17, {x, scale2}, true)[0], run(no_bias, 17, {x, scale2}, false)[0],
                 1e-5, 1e-5, "layernorm axis -2" + isa);
  });
}

TEST(SimdOps, ReduceLastAxisMatchesReference) {
  for_each_level([&](const std::string& isa) {
    const Tensor x = random_tensor({3, 5, 37}, -3, 3, 10);
    for (const char* op : {"ReduceMean", "ReduceSum", "ReduceMax"}) {
      for (int keep : {0, 1}) {
        const Node node =
            make_node(op, 1, 1, {ints_attr("axes", {-1}), int_attr("keepdims", keep)});
        expect_close(run(node, 11, {x}, true)[0], run(node, 11, {x}, false)[0], 1e-5, 1e-5,
                     std::string(op) + isa);
      }
      const Node middle = make_node(op, 1, 1, {ints_attr("axes", {1})});
      expect_close(run(middle, 11, {x}, true)[0], run(middle, 11, {x}, false)[0], 1e-5, 1e-5,
                   std::string(op) + " middle axis" + isa);
    }
  });
}

// Concat along each axis, of inputs with different extents there (one empty), 2 threads.
TEST(SimdOps, ConcatMatchesReference) {
  const Shape a{2, 3, 4, 5};
  for (int64_t axis : {0, 1, 2, 3, -1}) {
    Shape b = a, c = a, empty = a;
    const int d = static_cast<int>(axis < 0 ? axis + 4 : axis);
    b[d] = 7;
    c[d] = 2;
    empty[d] = 0;
    const Node node = make_node("Concat", 4, 1, {int_attr("axis", axis)});
    const std::vector<Tensor> in{random_tensor(a, -1, 1, 1), random_tensor(b, -1, 1, 2),
                                 random_tensor(empty, -1, 1, 3), random_tensor(c, -1, 1, 4)};
    expect_bitwise(run(node, 13, in, true, 2)[0], run(node, 13, in, false)[0],
                   "concat axis " + std::to_string(axis));
  }
  // A SqueezeNet fire module's join: two NHWC tensors along channels, big enough for 2 threads.
  const Node channels = make_node("Concat", 2, 1, {int_attr("axis", 3)});
  const std::vector<Tensor> fire{random_tensor({1, 55, 55, 64}, -1, 1, 5),
                                 random_tensor({1, 55, 55, 64}, -1, 1, 6)};
  const std::vector<Tensor> fast = run(channels, 13, fire, true, 2);
  expect_bitwise(fast[0], run(channels, 13, fire, false)[0], "fire module concat");
}

TEST(SimdOps, TransposeMatchesReference) {
  const std::vector<std::pair<Shape, std::vector<int64_t>>> cases = {
      {{2, 3, 4, 5}, {0, 2, 3, 1}},
      {{2, 35, 4, 33}, {0, 3, 1, 2}},
      {{2, 3, 40, 37}, {0, 1, 3, 2}},
      {{45, 67}, {1, 0}},
      {{3, 4, 5}, {}},
      {{2, 3, 4, 5}, {0, 2, 1, 3}},
      {{1, 1, 7, 1}, {3, 2, 1, 0}},
      {{2, 3, 4, 5}, {3, 1, 0, 2}},
      // An RGB image to NHWC: 3 rows of 4,900 columns, cut into column blocks with a partial last.
      {{2, 3, 70, 70}, {0, 2, 3, 1}},
      // The innermost axis stays innermost: whole rows are copied.
      {{12, 4, 16}, {1, 0, 2}},
      {{3, 1, 5, 7}, {2, 1, 0, 3}},
      {{2, 3, 4, 5, 6}, {2, 0, 3, 1, 4}}};
  for (const auto& [shape, perm] : cases) {
    const Node node = make_node(
        "Transpose", 1, 1,
        perm.empty() ? std::vector<Attribute>{} : std::vector<Attribute>{ints_attr("perm", perm)});
    const Tensor x = random_tensor(shape, -1, 1, 11);
    expect_bitwise(run(node, 13, {x}, true, 2)[0], run(node, 13, {x}, false)[0],
                   "transpose " + shape_to_string(shape));
    Tensor xi = Tensor::empty(DType::kInt64, shape);
    for (int64_t i = 0; i < xi.numel(); ++i) xi.data<int64_t>()[i] = i * 7919;
    expect_bitwise(run(node, 13, {xi}, true)[0], run(node, 13, {xi}, false)[0], "int64 transpose");
  }
}

Tensor int64_list(const std::vector<int64_t>& values) {
  Tensor t = Tensor::empty(DType::kInt64, {static_cast<int64_t>(values.size())});
  for (size_t i = 0; i < values.size(); ++i) t.data<int64_t>()[i] = values[i];
  return t;
}

TEST(SimdOps, SliceMatchesReference) {
  struct Case {
    Shape shape;
    std::vector<int64_t> starts, ends, axes, steps;
  };
  const std::vector<Case> cases = {
      {{128, 1, 768}, {256}, {512}, {2}, {}},            // a Q/K/V split: runs of one row each
      {{5, 7, 9}, {1, 2}, {4, 6}, {0, 1}, {}},           // cut in two outer dims, last kept whole
      {{5, 7, 9}, {-3}, {100}, {-1}, {}},                // negative start, clamped end
      {{5, 7, 9}, {0, 0, 0}, {5, 7, 9}, {0, 1, 2}, {}},  // the whole tensor: one run
      {{6, 4}, {1}, {6}, {0}, {2}},                      // a step: reference
      {{6, 4}, {5}, {0}, {0}, {-1}},                     // backwards: reference
      {{3, 4, 5}, {2}, {2}, {1}, {}},                    // empty window
  };
  for (const Case& c : cases) {
    std::vector<Tensor> in{random_tensor(c.shape, -1, 1, 21), int64_list(c.starts),
                           int64_list(c.ends), int64_list(c.axes)};
    if (!c.steps.empty()) in.push_back(int64_list(c.steps));
    const Node node = make_node("Slice", static_cast<int>(in.size()), 1, {});
    const std::string what = "slice of " + shape_to_string(c.shape);
    expect_bitwise(run(node, 13, in, true)[0], run(node, 13, in, false)[0], what);
    Tensor xi = Tensor::empty(DType::kInt64, c.shape);
    for (int64_t i = 0; i < xi.numel(); ++i) xi.data<int64_t>()[i] = i * 7919;
    in[0] = xi;
    expect_bitwise(run(node, 13, in, true)[0], run(node, 13, in, false)[0], "int64 " + what);
  }
}

// Results must not depend on the thread count (rows are split, never a reduction).
TEST(SimdOps, SameBitsForOneAndTwoThreads) {
  const Tensor x = random_tensor({1, 32, 112, 112}, -4, 4, 12);
  const Tensor c = random_tensor({1, 32, 1, 1}, -1, 1, 13);
  for (const char* op : {"Sigmoid", "Erf", "Softmax"}) {
    const Node node = make_node(op, 1, 1, {});
    expect_bitwise(run(node, 13, {x}, true, 1)[0], run(node, 13, {x}, true, 2)[0], op);
  }
  const Node mul = make_node("Mul", 2, 1, {});
  expect_bitwise(run(mul, 14, {x, c}, true, 1)[0], run(mul, 14, {x, c}, true, 2)[0], "Mul");
}

TEST(SimdOps, OtherDtypesGoToTheReference) {
  const Node node = make_node("Relu", 1, 1, {});
  Tensor x = Tensor::empty(DType::kFloat64, {3, 5});
  for (int64_t i = 0; i < x.numel(); ++i) x.data<double>()[i] = double(i) - 7;
  const Tensor y = run(node, 14, {x}, true)[0];
  for (int64_t i = 0; i < x.numel(); ++i)
    EXPECT_EQ(y.data<double>()[i], std::max(0.0, double(i) - 7));
}

}  // namespace
}  // namespace infera

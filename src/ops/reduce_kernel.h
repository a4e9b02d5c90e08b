// The engine behind the ten Reduce* ops. Each op file supplies only its reduction, a class
// template over the element type:
//
//   template <typename T> struct SumReduction {
//     using Acc = reduce_acc_t<T>;               // what the running value is kept in
//     static Acc init() { return Acc(0); }       // also the result of an empty-set reduction
//     static void add(Acc& acc, T x) { acc += Acc(x); }
//     static T finish(Acc acc, int64_t count) { return T(acc); }
//   };
//   INFERA_REGISTER_OP("ReduceSum", ReduceKernel<SumReduction, 13>);
//
// The second template argument is the first opset that takes `axes` as an input instead of
// an attribute (13 for ReduceSum, 18 for the others).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "ops/dispatch.h"
#include "ops/nd_iter.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace infera {

template <typename T>
inline constexpr bool is_float_like_v =
    std::is_floating_point_v<T> || std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>;

// Floats accumulate in double; integers in their widest type of the same signedness so sums
// and products wrap the way the output type would rather than lose precision.
template <typename T>
using reduce_acc_t = std::conditional_t<is_float_like_v<T>, double,
                                        std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>>;

// Accumulator for reductions that rescale a running sum by a running maximum (log-sum-exp);
// declared here rather than in the op's file so header lambdas may capture it.
struct RunningMaxSum {
  double max;
  double sum;
};

// Which axes a reduction folds; `noop` means the input passes through unchanged.
struct ReduceAxes {
  bool noop = false;
  bool reduced[kMaxIterRank] = {};
};

template <template <typename> class Reduction, int kAxesInputSince>
class ReduceKernel final : public OpKernel {
 public:
  explicit ReduceKernel(const KernelInit& init)
      : keepdims_(init.attr_int("keepdims", 1) != 0),
        noop_with_empty_axes_(init.attr_int("noop_with_empty_axes", 0) != 0),
        axes_from_input_(init.opset() >= kAxesInputSince),
        attr_axes_(init.attr_ints("axes")) {
    if (axes_from_input_ && init.has_attr("axes")) {
      init.fail("from opset " + std::to_string(kAxesInputSince) +
                " axes is an input, not an attribute");
    }
  }

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() > kMaxIterRank) ctx.fail("rank " + std::to_string(x.rank()) + " exceeds 16");
    const Tensor* axes = axes_input(ctx);
    if (axes != nullptr && !axes->has_data()) {
      ctx.set_output_dynamic(0);
      return;
    }
    ReduceAxes plan = resolve(x.rank(), axes, ctx.node());
    ctx.set_output(0, x.dtype(), output_shape(x.shape(), plan));
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor* axes = axes_input(ctx);
    ReduceAxes plan = resolve(x.rank(), axes, ctx.node());
    int64_t dims[kMaxIterRank];
    const int rank = output_dims(x.shape(), plan, dims);
    Tensor& y =
        axes != nullptr ? data_dependent_output(ctx, 0, x.dtype(), dims, rank) : ctx.output(0);
    if (plan.noop) {
      x.copy_to(y);
      return;
    }
    dispatch_numeric(x.dtype(), [&]<typename T>() { reduce<T>(x, plan, y.data<T>()); });
  }

  template <typename Ctx>
  const Tensor* axes_input(const Ctx& ctx) const {
    if (!axes_from_input_ || !ctx.has_input(1)) return nullptr;
    return &ctx.input(1);
  }

  ReduceAxes resolve(int rank, const Tensor* axes, const Node& node) const {
    ReduceAxes plan;
    int64_t count = axes != nullptr ? axes->numel() : static_cast<int64_t>(attr_axes_.size());
    if (count == 0) {
      plan.noop = noop_with_empty_axes_;
      for (int d = 0; d < rank; ++d) plan.reduced[d] = !plan.noop;
      return plan;
    }
    for (int64_t i = 0; i < count; ++i) {
      int64_t a = axes != nullptr ? read_scalar_int(*axes, i) : attr_axes_[size_t(i)];
      if (a < -rank || a >= rank) {
        throw Error(ErrorKind::kInvalidArgument,
                    node.op_type + " '" + node.name + "': axis " + std::to_string(a) +
                        " is out of range for rank " + std::to_string(rank));
      }
      plan.reduced[a < 0 ? a + rank : a] = true;
    }
    return plan;
  }

  // Writes the output dims into `dims` and returns the output rank.
  int output_dims(const Shape& in, const ReduceAxes& plan, int64_t* dims) const {
    int rank = 0;
    for (size_t d = 0; d < in.size(); ++d) {
      if (plan.noop || !plan.reduced[d]) {
        dims[rank++] = in[d];
      } else if (keepdims_) {
        dims[rank++] = 1;
      }
    }
    return rank;
  }

  Shape output_shape(const Shape& in, const ReduceAxes& plan) const {
    int64_t dims[kMaxIterRank];
    return Shape(dims, dims + output_dims(in, plan, dims));
  }

  // Walks the kept axes in output order; for each output element, walks the reduced axes.
  template <typename T>
  static void reduce(const Tensor& x, const ReduceAxes& plan, T* out) {
    using R = Reduction<T>;
    NdLoop kept, folded;
    int64_t strides[kMaxIterRank];
    row_major_strides(x.shape(), strides);
    for (int d = 0; d < x.rank(); ++d) {
      (plan.reduced[d] ? folded : kept).push(x.dim(d), strides[d]);
    }
    const T* in = x.data<T>();
    const int64_t count = folded.numel();
    int64_t o = 0;
    kept.for_each([&](int64_t base) {
      typename R::Acc acc = R::init();
      folded.for_each([&](int64_t off) { R::add(acc, in[base + off]); });
      out[o++] = R::finish(acc, count);
    });
  }

  bool keepdims_;
  bool noop_with_empty_axes_;
  bool axes_from_input_;
  std::vector<int64_t> attr_axes_;
};

}  // namespace infera

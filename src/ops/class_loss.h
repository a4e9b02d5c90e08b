// What NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss share: scores of shape
// [N, C, d1, ...], integer targets [N, d1, ...], optional per-class weights [C], an
// ignore_index whose positions contribute nothing, and the reduction none / sum / mean
// (mean divides by the total weight of the positions that count).
#pragma once

#include <cstdint>
#include <string>

#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace infera {

struct ClassLossAttrs {
  enum class Reduction : uint8_t { kNone, kSum, kMean };
  Reduction reduction = Reduction::kMean;
  bool has_ignore = false;
  int64_t ignore_index = 0;

  explicit ClassLossAttrs(const KernelInit& init) {
    const std::string r = init.attr_string("reduction", "mean");
    if (r == "none") {
      reduction = Reduction::kNone;
    } else if (r == "sum") {
      reduction = Reduction::kSum;
    } else if (r != "mean") {
      init.fail("reduction must be none, sum or mean, got '" + r + "'");
    }
    has_ignore = init.has_attr("ignore_index");
    ignore_index = init.attr_int("ignore_index", 0);
  }
};

// Scores seen as [N, C, D] with D the product of the trailing dims.
struct ClassLossLayout {
  int64_t n = 0, c = 0, d = 1;
};

inline ClassLossLayout class_loss_layout(const Tensor& x) {
  ClassLossLayout layout{x.dim(0), x.dim(1), 1};
  for (int k = 2; k < x.rank(); ++k) layout.d *= x.dim(k);
  return layout;
}

// Checks input 0 (scores), 1 (targets) and optional 2 (weights) and declares output 0 (the
// loss).
inline void infer_class_loss(InferContext& ctx, const ClassLossAttrs& attrs) {
  const Tensor& x = ctx.input(0);
  const Tensor& target = ctx.input(1);
  if (x.rank() < 2) ctx.fail("scores need shape [N, C, ...], got " + shape_to_string(x.shape()));
  Shape want_target = {x.dim(0)};
  for (int k = 2; k < x.rank(); ++k) want_target.push_back(x.dim(k));
  if (target.shape() != want_target) {
    ctx.fail("target shape " + shape_to_string(target.shape()) + ", expected " +
             shape_to_string(want_target) + " for scores " + shape_to_string(x.shape()));
  }
  if (target.dtype() != DType::kInt32 && target.dtype() != DType::kInt64) {
    ctx.fail(std::string("target must be int32 or int64, got ") + dtype_name(target.dtype()));
  }
  if (ctx.has_input(2) && ctx.input(2).shape() != Shape{x.dim(1)}) {
    ctx.fail("weight shape " + shape_to_string(ctx.input(2).shape()) + ", expected [" +
             std::to_string(x.dim(1)) + "]");
  }
  const bool none = attrs.reduction == ClassLossAttrs::Reduction::kNone;
  ctx.set_output(0, x.dtype(), none ? want_target : Shape{});
}

// Writes the loss into output 0. `neg_log_prob(n, c, d)` is the loss of position (n, d) had
// its target been class c.
template <typename T, typename NegLogProb>
void compute_class_loss(RunContext& ctx, const ClassLossAttrs& attrs, const ClassLossLayout& layout,
                        NegLogProb&& neg_log_prob) {
  const Tensor& target = ctx.input(1);
  const Tensor* weight = ctx.has_input(2) ? &ctx.input(2) : nullptr;
  T* out = ctx.output(0).data<T>();
  const bool none = attrs.reduction == ClassLossAttrs::Reduction::kNone;
  double total = 0, total_weight = 0;
  for (int64_t n = 0; n < layout.n; ++n) {
    for (int64_t d = 0; d < layout.d; ++d) {
      const int64_t at = n * layout.d + d;
      const int64_t t = read_scalar_int(target, at);
      double loss = 0, w = 0;
      if (!(attrs.has_ignore && t == attrs.ignore_index)) {
        if (t < 0 || t >= layout.c) {
          ctx.fail("target " + std::to_string(t) + " at " + std::to_string(at) +
                   " is outside [0, " + std::to_string(layout.c) + ")");
        }
        w = weight != nullptr ? read_scalar_double(*weight, t) : 1.0;
        loss = w * neg_log_prob(n, t, d);
      }
      if (none) out[at] = T(loss);
      total += loss;
      total_weight += w;
    }
  }
  if (attrs.reduction == ClassLossAttrs::Reduction::kSum) out[0] = T(total);
  if (attrs.reduction == ClassLossAttrs::Reduction::kMean) {
    out[0] = T(total / total_weight);
  }
}

}  // namespace infera

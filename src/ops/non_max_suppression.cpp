// NonMaxSuppression: per batch and class, greedily keeps the highest-scoring boxes whose
// overlap (IoU) with every box kept before them is at most iou_threshold. The output
// [num_selected, 3] rows of (batch, class, box) depend on the data, so it is always dynamic.
#include <algorithm>
#include <vector>

#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace infera {
namespace {

struct Box {
  float y1, x1, y2, x2;  // y1 <= y2, x1 <= x2
  float area() const { return (y2 - y1) * (x2 - x1); }
};

float iou(const Box& a, const Box& b) {
  const float ih = std::min(a.y2, b.y2) - std::max(a.y1, b.y1);
  const float iw = std::min(a.x2, b.x2) - std::max(a.x1, b.x1);
  if (ih <= 0 || iw <= 0) return 0.0f;
  const float inter = ih * iw;
  const float uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0.0f;
}

class NonMaxSuppressionKernel final : public OpKernel {
 public:
  explicit NonMaxSuppressionKernel(const KernelInit& init)
      : center_point_box_(init.attr_int("center_point_box", 0) != 0) {}

  void infer(InferContext& ctx) const override {
    const Tensor& boxes = ctx.input(0);
    const Tensor& scores = ctx.input(1);
    if (boxes.rank() != 3 || boxes.dim(2) != 4) {
      ctx.fail("boxes need shape [batch, boxes, 4], got " + shape_to_string(boxes.shape()));
    }
    if (scores.rank() != 3 || scores.dim(0) != boxes.dim(0) || scores.dim(2) != boxes.dim(1)) {
      ctx.fail("scores shape " + shape_to_string(scores.shape()) + " does not fit boxes " +
               shape_to_string(boxes.shape()) + "; expected [batch, classes, boxes]");
    }
    ctx.set_output_dynamic(0);
  }

  void run(RunContext& ctx) const override {
    const Tensor& boxes = ctx.input(0);
    const Tensor& scores = ctx.input(1);
    const int64_t max_out = optional_int(ctx, 2, 0);
    const float iou_threshold = static_cast<float>(optional_double(ctx, 3, 0.0));
    const bool has_score_threshold = ctx.has_input(4);
    const float score_threshold = static_cast<float>(optional_double(ctx, 4, 0.0));
    const int64_t batches = boxes.dim(0), n = boxes.dim(1), classes = scores.dim(1);

    std::vector<int64_t> selected;  // (batch, class, box) triples; the count is data-dependent
    std::vector<int64_t> order, kept;
    for (int64_t b = 0; b < batches; ++b) {
      for (int64_t c = 0; c < classes; ++c) {
        const int64_t score_base = (b * classes + c) * n;
        order.clear();
        for (int64_t i = 0; i < n; ++i) {
          if (!has_score_threshold || score_at(scores, score_base + i) > score_threshold) {
            order.push_back(i);
          }
        }
        std::stable_sort(order.begin(), order.end(), [&](int64_t i, int64_t j) {
          return score_at(scores, score_base + i) > score_at(scores, score_base + j);
        });
        kept.clear();
        for (int64_t i : order) {
          if (static_cast<int64_t>(kept.size()) >= max_out) break;
          const Box candidate = box_at(boxes, b * n + i);
          bool suppressed = false;
          for (int64_t k : kept) {
            if (iou(candidate, box_at(boxes, b * n + k)) > iou_threshold) {
              suppressed = true;
              break;
            }
          }
          if (suppressed) continue;
          kept.push_back(i);
          selected.insert(selected.end(), {b, c, i});
        }
      }
    }
    const int64_t count = static_cast<int64_t>(selected.size() / 3);
    Tensor& out = ctx.allocate_output(0, DType::kInt64, {count, 3});
    std::copy(selected.begin(), selected.end(), out.data<int64_t>());
  }

 private:
  static int64_t optional_int(const RunContext& ctx, int i, int64_t fallback) {
    if (!ctx.has_input(i) || ctx.input(i).numel() == 0) return fallback;
    return read_scalar_int(ctx.input(i));
  }
  static double optional_double(const RunContext& ctx, int i, double fallback) {
    if (!ctx.has_input(i) || ctx.input(i).numel() == 0) return fallback;
    return read_scalar_double(ctx.input(i));
  }
  static float score_at(const Tensor& scores, int64_t i) {
    return static_cast<float>(read_scalar_double(scores, i));
  }
  Box box_at(const Tensor& boxes, int64_t i) const {
    float v[4];
    for (int k = 0; k < 4; ++k) v[k] = static_cast<float>(read_scalar_double(boxes, i * 4 + k));
    if (center_point_box_) {  // [x_center, y_center, width, height]
      return {v[1] - v[3] / 2, v[0] - v[2] / 2, v[1] + v[3] / 2, v[0] + v[2] / 2};
    }
    return {std::min(v[0], v[2]), std::min(v[1], v[3]), std::max(v[0], v[2]), std::max(v[1], v[3])};
  }

  bool center_point_box_;
};

}  // namespace
INFERA_REGISTER_OP("NonMaxSuppression", NonMaxSuppressionKernel);
}  // namespace infera

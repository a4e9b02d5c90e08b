// ArgMax and ArgMin: the index of the extreme element along one axis, as int64.
// `Better(a, b)` says whether a beats b; ties keep the first index unless
// select_last_index asks for the last.
#pragma once

#include <cstdint>

#include "ops/dispatch.h"
#include "ops/nd_iter.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace infera {

template <typename Better>
class ArgExtremeKernel final : public OpKernel {
 public:
  explicit ArgExtremeKernel(const KernelInit& init)
      : axis_(init.attr_int("axis", 0)),
        keepdims_(init.attr_int("keepdims", 1) != 0),
        select_last_(init.attr_int("select_last_index", 0) != 0) {}

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t axis = normalize_axis(axis_, x.rank());
    if (x.rank() > 0 && x.dim(int(axis)) == 0) {
      ctx.fail("cannot take an arg-reduction over empty axis " + std::to_string(axis) +
               " of shape " + shape_to_string(x.shape()));
    }
    Shape out;
    for (int d = 0; d < x.rank(); ++d) {
      if (d != axis) {
        out.push_back(x.dim(d));
      } else if (keepdims_) {
        out.push_back(1);
      }
    }
    ctx.set_output(0, DType::kInt64, out);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    int64_t* out = ctx.output(0).data<int64_t>();
    const int axis = static_cast<int>(normalize_axis(axis_, x.rank()));
    int64_t strides[kMaxIterRank];
    row_major_strides(x.shape(), strides);
    NdLoop kept;
    for (int d = 0; d < x.rank(); ++d)
      if (d != axis) kept.push(x.dim(d), strides[d]);
    const int64_t len = x.rank() > 0 ? x.dim(axis) : 1;
    const int64_t step = x.rank() > 0 ? strides[axis] : 1;
    dispatch_numeric(x.dtype(), [&]<typename T>() {
      const T* in = x.data<T>();
      int64_t o = 0;
      kept.for_each([&](int64_t base) { out[o++] = best_index(in + base, len, step); });
    });
  }

 private:
  template <typename T>
  int64_t best_index(const T* row, int64_t len, int64_t step) const {
    int64_t best = 0;
    for (int64_t i = 1; i < len; ++i) {
      const T& v = row[i * step];
      const T& b = row[best * step];
      // NaN beats everything, as numpy's argmax/argmin report the first NaN.
      const bool v_nan = v != v, b_nan = b != b;
      if (b_nan) {
        if (select_last_ && v_nan) best = i;
        continue;
      }
      if (v_nan || Better()(v, b) || (select_last_ && !Better()(b, v))) best = i;
    }
    return best;
  }

  int64_t axis_;
  bool keepdims_;
  bool select_last_;
};

}  // namespace infera

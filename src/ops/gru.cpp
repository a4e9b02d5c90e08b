// GRU with gates z (update), r (reset) and h (hidden), in that order in W, R and B:
//   z = f(X W_z + H R_z + b_z),  r = f(X W_r + H R_r + b_r)
//   h = g(X W_h + (r . H) R_h + Rb_h + Wb_h)          linear_before_reset = 0
//   h = g(X W_h + r . (H R_h + Rb_h) + Wb_h)          linear_before_reset = 1
//   H' = (1 - z) . h + z . H
#include "ops/dispatch.h"
#include "ops/rnn_common.h"

namespace infera {
namespace {

class GruKernel final : public OpKernel {
 public:
  explicit GruKernel(const KernelInit& init)
      : attrs_(parse_rnn_attrs(init, {"Sigmoid", "Tanh"})),
        linear_before_reset_(init.attr_int("linear_before_reset", 0) != 0) {}

  void infer(InferContext& ctx) const override { infer_rnn(ctx, attrs_, 3, 1); }

  void run(RunContext& ctx) const override {
    dispatch_float(ctx.input(kRnnX).dtype(), [&]<typename T>() { run_typed<T>(ctx); });
  }

 private:
  template <typename T>
  void run_typed(RunContext& ctx) const {
    using Acc = RnnAcc<T>;
    const RnnDims dims = rnn_dims(ctx.input(kRnnX), attrs_, ctx.input(kRnnR));
    const int64_t hidden = dims.hidden, input = dims.input;
    const T* w = ctx.input(kRnnW).data<T>();
    const T* r = ctx.input(kRnnR).data<T>();
    const T* b = has_input_slot(ctx, kRnnB) ? ctx.input(kRnnB).data<T>() : nullptr;
    // Reference kernel: scratch for the three gate rows and the hidden-gate recurrent term.
    std::vector<Acc> gates(static_cast<size_t>(3 * hidden));
    std::vector<Acc> recur(static_cast<size_t>(hidden));
    run_rnn_sequences<T>(ctx, attrs_, 1, [&](int64_t d, const T* x, Acc* h, Acc*) {
      const T* wd = w + d * 3 * hidden * input;
      const T* rd = r + d * 3 * hidden * hidden;
      const T* wb = b ? b + d * 6 * hidden : nullptr;
      const T* rb = b ? wb + 3 * hidden : nullptr;
      for (int64_t j = 0; j < 3 * hidden; ++j) {
        gates[j] = wb ? static_cast<Acc>(wb[j]) : Acc(0);
        if (rb && j < 2 * hidden) gates[j] += static_cast<Acc>(rb[j]);
      }
      rnn_add_matvec(gates.data(), wd, x, 3 * hidden, input);
      rnn_add_matvec(gates.data(), rd, h, 2 * hidden, hidden);
      const RnnActivation& f = attrs_.activation(d, 0);
      const RnnActivation& g = attrs_.activation(d, 1);
      Acc* z = gates.data();
      Acc* rg = gates.data() + hidden;
      Acc* hg = gates.data() + 2 * hidden;
      for (int64_t j = 0; j < 2 * hidden; ++j) gates[j] = f(attrs_.clipped(gates[j]));
      const T* rh = rd + 2 * hidden * hidden;
      for (int64_t j = 0; j < hidden; ++j)
        recur[j] = rb ? static_cast<Acc>(rb[2 * hidden + j]) : Acc(0);
      if (linear_before_reset_) {
        rnn_add_matvec(recur.data(), rh, h, hidden, hidden);
        for (int64_t j = 0; j < hidden; ++j) hg[j] += rg[j] * recur[j];
      } else {
        // (r . H) R_h: the reset gate scales the state before the product, one row at a time.
        for (int64_t j = 0; j < hidden; ++j) {
          Acc sum = 0;
          for (int64_t k = 0; k < hidden; ++k)
            sum += static_cast<Acc>(rh[j * hidden + k]) * rg[k] * h[k];
          hg[j] += recur[j] + sum;
        }
      }
      for (int64_t j = 0; j < hidden; ++j) {
        const Acc candidate = g(attrs_.clipped(hg[j]));
        h[j] = (Acc(1) - z[j]) * candidate + z[j] * h[j];
      }
    });
  }

  RnnAttrs attrs_;
  bool linear_before_reset_;
};

}  // namespace
INFERA_REGISTER_OP("GRU", GruKernel);
}  // namespace infera

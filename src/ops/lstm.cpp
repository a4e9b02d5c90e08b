// LSTM with gates i, o, f, c in that order in W, R and B, peepholes P = [p_i, p_o, p_f]:
//   i = f(X W_i + H R_i + p_i . C + b_i)     f = f(X W_f + H R_f + p_f . C + b_f)
//   c = g(X W_c + H R_c + b_c)               C' = f . C + i . c
//   o = f(X W_o + H R_o + p_o . C' + b_o)    H' = o . h(C')
// input_forget couples the input and forget gates: f = 1 - i.
#include "ops/dispatch.h"
#include "ops/rnn_common.h"

namespace infera {
namespace {

class LstmKernel final : public OpKernel {
 public:
  explicit LstmKernel(const KernelInit& init)
      : attrs_(parse_rnn_attrs(init, {"Sigmoid", "Tanh", "Tanh"})),
        input_forget_(init.attr_int("input_forget", 0) != 0) {}

  void infer(InferContext& ctx) const override {
    infer_rnn(ctx, attrs_, 4, 2);
    if (has_input_slot(ctx, kRnnP)) {
      const RnnDims d = rnn_dims(ctx.input(kRnnX), attrs_, ctx.input(kRnnR));
      const Shape expected{d.dirs, 3 * d.hidden};
      if (ctx.input(kRnnP).shape() != expected) {
        ctx.fail("P should have shape " + shape_to_string(expected) + ", got " +
                 shape_to_string(ctx.input(kRnnP).shape()));
      }
    }
  }

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
    const T* p = has_input_slot(ctx, kRnnP) ? ctx.input(kRnnP).data<T>() : nullptr;
    // Reference kernel: one scratch row holding the four gates' pre-activations.
    std::vector<Acc> gates(static_cast<size_t>(4 * hidden));
    run_rnn_sequences<T>(ctx, attrs_, 2, [&](int64_t d, const T* x, Acc* h, Acc* c) {
      const T* bias = b ? b + d * 8 * hidden : nullptr;
      for (int64_t j = 0; j < 4 * hidden; ++j) {
        gates[j] =
            bias ? static_cast<Acc>(bias[j]) + static_cast<Acc>(bias[4 * hidden + j]) : Acc(0);
      }
      rnn_add_matvec(gates.data(), w + d * 4 * hidden * input, x, 4 * hidden, input);
      rnn_add_matvec(gates.data(), r + d * 4 * hidden * hidden, h, 4 * hidden, hidden);
      const T* pd = p ? p + d * 3 * hidden : nullptr;
      const RnnActivation& f = attrs_.activation(d, 0);
      const RnnActivation& g = attrs_.activation(d, 1);
      const RnnActivation& hact = attrs_.activation(d, 2);
      for (int64_t j = 0; j < hidden; ++j) {
        const Acc peep_i = pd ? static_cast<Acc>(pd[j]) : Acc(0);
        const Acc peep_o = pd ? static_cast<Acc>(pd[hidden + j]) : Acc(0);
        const Acc peep_f = pd ? static_cast<Acc>(pd[2 * hidden + j]) : Acc(0);
        const Acc in = f(attrs_.clipped(gates[j] + peep_i * c[j]));
        const Acc forget =
            input_forget_ ? Acc(1) - in : f(attrs_.clipped(gates[2 * hidden + j] + peep_f * c[j]));
        const Acc cand = g(attrs_.clipped(gates[3 * hidden + j]));
        c[j] = forget * c[j] + in * cand;
        const Acc out = f(attrs_.clipped(gates[hidden + j] + peep_o * c[j]));
        h[j] = out * hact(c[j]);
      }
    });
  }

  RnnAttrs attrs_;
  bool input_forget_;
};

}  // namespace
INFERA_REGISTER_OP("LSTM", LstmKernel);
}  // namespace infera

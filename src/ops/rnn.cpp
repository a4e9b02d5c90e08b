// RNN (simple recurrence): H_t = f(X_t W^T + H_{t-1} R^T + Wb + Rb), f defaulting to Tanh.
#include "ops/dispatch.h"
#include "ops/rnn_common.h"

namespace infera {
namespace {

class RnnKernel final : public OpKernel {
 public:
  explicit RnnKernel(const KernelInit& init) : attrs_(parse_rnn_attrs(init, {"Tanh"})) {}

  void infer(InferContext& ctx) const override { infer_rnn(ctx, attrs_, 1, 1); }

  void run(RunContext& ctx) const override {
    dispatch_float(ctx.input(kRnnX).dtype(), [&]<typename T>() {
      using Acc = RnnAcc<T>;
      const RnnDims dims = rnn_dims(ctx.input(kRnnX), attrs_, ctx.input(kRnnR));
      const int64_t hidden = dims.hidden, input = dims.input;
      const T* w = ctx.input(kRnnW).data<T>();
      const T* r = ctx.input(kRnnR).data<T>();
      const T* b = has_input_slot(ctx, kRnnB) ? ctx.input(kRnnB).data<T>() : nullptr;
      // Reference kernel: one scratch row of pre-activations, sized by hidden.
      std::vector<Acc> gates(static_cast<size_t>(hidden));
      run_rnn_sequences<T>(ctx, attrs_, 1, [&](int64_t d, const T* x, Acc* h, Acc*) {
        const T* bias = b ? b + d * 2 * hidden : nullptr;
        for (int64_t j = 0; j < hidden; ++j) {
          gates[j] = bias ? static_cast<Acc>(bias[j]) + static_cast<Acc>(bias[hidden + j]) : Acc(0);
        }
        rnn_add_matvec(gates.data(), w + d * hidden * input, x, hidden, input);
        rnn_add_matvec(gates.data(), r + d * hidden * hidden, h, hidden, hidden);
        const RnnActivation& f = attrs_.activation(d, 0);
        for (int64_t j = 0; j < hidden; ++j) h[j] = f(attrs_.clipped(gates[j]));
      });
    });
  }

 private:
  RnnAttrs attrs_;
};

}  // namespace
INFERA_REGISTER_OP("RNN", RnnKernel);
}  // namespace infera

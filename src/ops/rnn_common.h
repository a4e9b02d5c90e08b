// What RNN, GRU and LSTM share: attributes (direction, activations with alpha/beta, clip,
// layout), shape checks, and the driver that walks every direction, batch row and time step,
// honouring sequence_lens and initial states, while the op supplies only its cell update.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "core/half.h"
#include "ops/op.h"
#include "ops/op_util.h"
#include "ops/slot_util.h"

namespace infera {

enum class RnnActivationKind {
  kRelu,
  kTanh,
  kSigmoid,
  kAffine,
  kLeakyRelu,
  kThresholdedRelu,
  kScaledTanh,
  kHardSigmoid,
  kElu,
  kSoftsign,
  kSoftplus,
};

struct RnnActivation {
  RnnActivationKind kind = RnnActivationKind::kTanh;
  float alpha = 0;
  float beta = 0;

  template <typename A>
  A operator()(A x) const {
    const A a = static_cast<A>(alpha);
    const A b = static_cast<A>(beta);
    switch (kind) {
      case RnnActivationKind::kRelu:
        return x > 0 ? x : A(0);
      case RnnActivationKind::kTanh:
        return std::tanh(x);
      case RnnActivationKind::kSigmoid:
        return A(1) / (A(1) + std::exp(-x));
      case RnnActivationKind::kAffine:
        return a * x + b;
      case RnnActivationKind::kLeakyRelu:
        return x >= 0 ? x : a * x;
      case RnnActivationKind::kThresholdedRelu:
        return x > a ? x : A(0);
      case RnnActivationKind::kScaledTanh:
        return a * std::tanh(b * x);
      case RnnActivationKind::kHardSigmoid:
        return std::clamp(a * x + b, A(0), A(1));
      case RnnActivationKind::kElu:
        return x >= 0 ? x : a * (std::exp(x) - A(1));
      case RnnActivationKind::kSoftsign:
        return x / (A(1) + std::abs(x));
      case RnnActivationKind::kSoftplus:
        return std::log1p(std::exp(x));
    }
    return x;
  }
};

struct RnnAttrs {
  int64_t hidden_size = 0;  // 0: taken from R
  int64_t num_directions = 1;
  bool reverse = false;                    // direction == "reverse"
  int per_direction = 0;                   // activations each direction uses
  std::vector<RnnActivation> activations;  // per_direction * num_directions
  bool has_clip = false;
  float clip = 0;
  int64_t layout = 0;

  const RnnActivation& activation(int64_t dir, int k) const {
    return activations[static_cast<size_t>(dir * per_direction + k)];
  }
  bool runs_reversed(int64_t dir) const { return reverse || dir == 1; }
  template <typename A>
  A clipped(A x) const {
    return has_clip ? std::clamp(x, A(-clip), A(clip)) : x;
  }
};

// Reads direction, hidden_size, activations (+ alpha/beta), clip and layout;
// `default_activations` is one direction's list.
RnnAttrs parse_rnn_attrs(const KernelInit& init,
                         const std::vector<std::string>& default_activations);

// Input and output slots, the same in all three ops.
enum RnnInput : int {
  kRnnX = 0,
  kRnnW,
  kRnnR,
  kRnnB,
  kRnnSeqLens,
  kRnnInitialH,
  kRnnInitialC,
  kRnnP
};
enum RnnOutput : int { kRnnY = 0, kRnnYh, kRnnYc };

struct RnnDims {
  int64_t seq = 0, batch = 0, input = 0, hidden = 0, dirs = 1, layout = 0;

  int64_t x_offset(int64_t t, int64_t b) const {
    return (layout == 0 ? t * batch + b : b * seq + t) * input;
  }
  int64_t y_offset(int64_t t, int64_t d, int64_t b) const {
    return (layout == 0 ? (t * dirs + d) * batch + b : (b * seq + t) * dirs + d) * hidden;
  }
  int64_t state_offset(int64_t d, int64_t b) const {
    return (layout == 0 ? d * batch + b : b * dirs + d) * hidden;
  }
};

RnnDims rnn_dims(const Tensor& x, const RnnAttrs& attrs, const Tensor& r);

// Checks every input's shape against X, W and R (`num_gates` blocks of hidden rows,
// `num_states` recurrent states: 1, or 2 for LSTM's cell) and declares the outputs.
void infer_rnn(InferContext& ctx, const RnnAttrs& attrs, int num_gates, int num_states);

template <typename T>
using RnnAcc = std::conditional_t<std::is_same_v<T, double>, double, float>;

// out[r] += m[r, :] . v for a row-major rows x cols matrix.
template <typename Acc, typename M, typename V>
void rnn_add_matvec(Acc* out, const M* m, const V* v, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; ++r) {
    Acc sum = 0;
    const M* row = m + r * cols;
    for (int64_t k = 0; k < cols; ++k) sum += static_cast<Acc>(row[k]) * static_cast<Acc>(v[k]);
    out[r] += sum;
  }
}

// Runs every (direction, batch row) sequence through `cell(dir, x_row, h, c)`, which advances
// the state one step in place (c is null unless num_states == 2), and writes Y, Y_h, Y_c.
// Rows past a batch entry's sequence length stay zero in Y.
template <typename T, typename Cell>
void run_rnn_sequences(RunContext& ctx, const RnnAttrs& attrs, int num_states, Cell&& cell) {
  using Acc = RnnAcc<T>;
  const Tensor& x_tensor = ctx.input(kRnnX);
  const RnnDims dims = rnn_dims(x_tensor, attrs, ctx.input(kRnnR));
  const T* x = x_tensor.data<T>();
  const Tensor* seq_lens = has_input_slot(ctx, kRnnSeqLens) ? &ctx.input(kRnnSeqLens) : nullptr;
  const T* init[2] = {nullptr, nullptr};
  if (has_input_slot(ctx, kRnnInitialH)) init[0] = ctx.input(kRnnInitialH).data<T>();
  if (num_states == 2 && has_input_slot(ctx, kRnnInitialC))
    init[1] = ctx.input(kRnnInitialC).data<T>();
  T* y = has_output_slot(ctx, kRnnY) ? ctx.output(kRnnY).data<T>() : nullptr;
  T* finals[2] = {
      has_output_slot(ctx, kRnnYh) ? ctx.output(kRnnYh).data<T>() : nullptr,
      num_states == 2 && has_output_slot(ctx, kRnnYc) ? ctx.output(kRnnYc).data<T>() : nullptr};
  if (y) std::fill_n(y, ctx.output(kRnnY).numel(), T(0.0f));

  const int64_t hidden = dims.hidden;
  // Reference kernel: the running states live in a small scratch vector sized by hidden.
  std::vector<Acc> state(static_cast<size_t>(2 * hidden), Acc(0));
  Acc* h = state.data();
  Acc* c = num_states == 2 ? state.data() + hidden : nullptr;
  for (int64_t d = 0; d < dims.dirs; ++d) {
    for (int64_t b = 0; b < dims.batch; ++b) {
      const int64_t off = dims.state_offset(d, b);
      for (int s = 0; s < num_states; ++s) {
        Acc* dst = state.data() + s * hidden;
        for (int64_t j = 0; j < hidden; ++j)
          dst[j] = init[s] ? static_cast<Acc>(init[s][off + j]) : Acc(0);
      }
      int64_t len = dims.seq;
      if (seq_lens) len = std::clamp<int64_t>(read_scalar_int(*seq_lens, b), 0, dims.seq);
      for (int64_t step = 0; step < len; ++step) {
        const int64_t t = attrs.runs_reversed(d) ? len - 1 - step : step;
        cell(d, x + dims.x_offset(t, b), h, c);
        if (y) {
          T* out = y + dims.y_offset(t, d, b);
          for (int64_t j = 0; j < hidden; ++j) out[j] = T(h[j]);
        }
      }
      for (int s = 0; s < num_states; ++s) {
        if (!finals[s]) continue;
        const Acc* src = state.data() + s * hidden;
        for (int64_t j = 0; j < hidden; ++j) finals[s][off + j] = T(src[j]);
      }
    }
  }
}

}  // namespace infera

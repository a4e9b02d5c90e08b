// Pad: grows (or, with negative pads, crops) each dim. pads = [begin_0.., end_0..]. Modes:
// constant (fill value), edge (repeat the border), reflect (mirror without repeating the
// border), wrap (opset 19, periodic). pads and the value are attributes before opset 11 and
// inputs since; opset 18 adds an axes input that names which dims the pads cover.
#include <cstring>
#include <type_traits>

#include "ops/movement.h"
#include "ops/op_util.h"

namespace infera {
namespace {

enum class PadMode { kConstant, kEdge, kReflect, kWrap };

PadMode parse_mode(const KernelInit& init) {
  const std::string mode = init.attr_string("mode", "constant");
  if (mode == "constant") return PadMode::kConstant;
  if (mode == "edge") return PadMode::kEdge;
  if (mode == "reflect") return PadMode::kReflect;
  if (mode == "wrap") return PadMode::kWrap;
  init.fail("unknown mode '" + mode + "' (expected constant, edge, reflect or wrap)");
}

// Where output coordinate `o` reads from in a dim of size n padded by `begin` in front;
// -1 for the constant fill.
int64_t source_coord(PadMode mode, int64_t o, int64_t begin, int64_t n) {
  int64_t c = o - begin;
  if (c >= 0 && c < n) return c;
  switch (mode) {
    case PadMode::kConstant:
      return -1;
    case PadMode::kEdge:
      return c < 0 ? 0 : n - 1;
    case PadMode::kWrap:
      return ((c % n) + n) % n;
    case PadMode::kReflect: {
      if (n == 1) return 0;
      const int64_t period = 2 * (n - 1);
      c = ((c % period) + period) % period;
      return c < n ? c : period - c;
    }
  }
  return -1;
}

class PadKernel final : public OpKernel {
 public:
  explicit PadKernel(const KernelInit& init)
      : mode_(parse_mode(init)),
        pads_from_input_(init.opset() >= 11),
        attr_pads_(init.attr_ints(init.opset() < 2 ? "paddings" : "pads")),
        attr_value_(init.attr_float("value", 0.0f)) {}

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (pads_from_input_ && ctx.input(1).dtype() != DType::kInt64)
      ctx.fail(std::string("pads must be int64, got ") + dtype_name(ctx.input(1).dtype()));
    if (pads_from_input_ && !inputs_known(ctx, {1, 3})) {
      ctx.set_output_dynamic(0);
      return;
    }
    int64_t pads[2 * kMaxMoveRank];
    resolve_pads(ctx, x.rank(), pads);
    ctx.set_output(0, x.dtype(), padded_shape(ctx, x, pads));
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int rank = x.rank();
    int64_t pads[2 * kMaxMoveRank];
    resolve_pads(ctx, rank, pads);
    Tensor& y = planned_or_allocated(ctx, 0, x.dtype(), [&] { return padded_shape(ctx, x, pads); });
    if (mode_ != PadMode::kConstant) {
      for (int d = 0; d < rank; ++d)
        if (x.dim(d) == 0 && y.dim(d) > 0)
          ctx.fail("cannot pad an empty dim in edge/reflect/wrap mode, input shape " +
                   shape_to_string(x.shape()));
    }
    dispatch_movable(x.dtype(), [&]<typename T>() { pad_elements<T>(ctx, x, y, pads); });
  }

 private:
  template <typename T>
  void pad_elements(const RunContext& ctx, const Tensor& x, Tensor& y, const int64_t* pads) const {
    const T fill = fill_value<T>(ctx, x.dtype());
    const int rank = x.rank();
    int64_t strides[kMaxMoveRank], index[kMaxMoveRank] = {0};
    row_major_strides(x.shape(), strides);
    const T* in = x.data<T>();
    T* out = y.data<T>();
    for (int64_t i = 0, n = y.numel(); i < n; ++i) {
      int64_t offset = 0;
      bool inside = true;
      for (int d = 0; d < rank && inside; ++d) {
        const int64_t c = source_coord(mode_, index[d], pads[d], x.dim(d));
        inside = c >= 0;
        offset += c * strides[d];
      }
      out[i] = inside ? in[offset] : fill;
      for (int d = rank - 1; d >= 0; --d) {
        if (++index[d] < y.dim(d)) break;
        index[d] = 0;
      }
    }
  }

  // The constant fill: the constant_value input, else the `value` attribute cast to the dtype.
  template <typename T>
  T fill_value(const RunContext& ctx, DType dtype) const {
    if (pads_from_input_ && ctx.has_input(2) && ctx.input(2).numel() > 0)
      return *ctx.input(2).data<T>();
    if constexpr (std::is_same_v<T, std::string>) {
      return T{};
    } else {
      T fill{};
      dispatch_numeric_bool(dtype, [&]<typename V>() {
        // Only the V of the tensor's own dtype runs, and it has T's size.
        if constexpr (sizeof(V) == sizeof(T)) {
          const V v = V(attr_value_);
          std::memcpy(&fill, &v, sizeof(V));
        }
      });
      return fill;
    }
  }

  // Fills pads[0 .. 2*rank) in [begins.., ends..] order from the pads attribute or input and
  // the optional axes input. Reads the inputs into stack arrays: run() must not allocate.
  template <typename Ctx>
  void resolve_pads(const Ctx& ctx, int rank, int64_t* pads) const {
    if (rank > kMaxMoveRank) ctx.fail("rank " + std::to_string(rank) + " is too large");
    int64_t given[2 * kMaxMoveRank], axes[kMaxMoveRank];
    int n_given = 0, n_axes = 0;
    if (!pads_from_input_) {
      n_given = read_into(ctx, attr_pads_.data(), static_cast<int64_t>(attr_pads_.size()), given);
    } else {
      const Tensor& p = ctx.input(1);
      n_given = read_into(ctx, p.data<int64_t>(), p.numel(), given);
      if (ctx.has_input(3)) {
        const Tensor& a = ctx.input(3);
        if (a.numel() > rank) ctx.fail("axes has more entries than the input has dims");
        for (int64_t k = 0; k < a.numel(); ++k) axes[n_axes++] = read_scalar_int(a, k);
      }
    }
    if (n_axes == 0)
      for (int d = 0; d < rank; ++d) axes[n_axes++] = d;
    if (n_given != 2 * n_axes)
      ctx.fail("pads has " + std::to_string(n_given) + " entries, expected " +
               std::to_string(2 * n_axes) + " for input of rank " + std::to_string(rank));
    for (int d = 0; d < 2 * rank; ++d) pads[d] = 0;
    for (int k = 0; k < n_axes; ++k) {
      const int64_t d = normalize_axis(axes[k], rank, "Pad axis");
      pads[d] = given[k];
      pads[rank + d] = given[n_axes + k];
    }
  }

  template <typename Ctx>
  static int read_into(const Ctx& ctx, const int64_t* src, int64_t n, int64_t* dst) {
    if (n > 2 * kMaxMoveRank) ctx.fail("pads has too many entries");
    for (int64_t k = 0; k < n; ++k) dst[k] = src[k];
    return static_cast<int>(n);
  }

  template <typename Ctx>
  static Shape padded_shape(const Ctx& ctx, const Tensor& x, const int64_t* pads) {
    const int rank = x.rank();
    Shape out(static_cast<size_t>(rank));
    for (int d = 0; d < rank; ++d) {
      out[d] = x.dim(d) + pads[d] + pads[rank + d];
      if (out[d] < 0)
        ctx.fail("pads crop dim " + std::to_string(d) + " of input shape " +
                 shape_to_string(x.shape()) + " below zero");
    }
    return out;
  }

  PadMode mode_;
  bool pads_from_input_;
  std::vector<int64_t> attr_pads_;
  float attr_value_;
};

}  // namespace
INFERA_REGISTER_OP("Pad", PadKernel);
}  // namespace infera

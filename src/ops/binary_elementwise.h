// The one kernel body behind the binary broadcasting ops (Add, Sub, ..., comparisons, logic,
// BitShift, Mod, PRelu). Each op's own file defines a functor and registers
//
//   INFERA_REGISTER_OP("Add", BinaryKernel<AddFn, TypeFamily::kNumeric>);
//
// The functor is `template <typename C> R operator()(C a, C b) const`, with C the element type
// widened as in compute_t; R is C, or bool for kBoolOutput kernels. Both inputs share one
// dtype. Functors with attributes take a `const KernelInit&` constructor.
#pragma once

#include <cstdint>
#include <span>
#include <type_traits>

#include "ops/elementwise_common.h"
#include "ops/op.h"
#include "ops/op_util.h"
#include "ops/unary_elementwise.h"

namespace infera {

// Opsets before 7 broadcast only when `broadcast=1`, aligning B's dims with A's starting at
// `axis` (default: B's dims are A's trailing dims). Padding B's shape with trailing 1s turns
// that into an ordinary numpy broadcast.
class LegacyBroadcast {
 public:
  explicit LegacyBroadcast(const KernelInit& init)
      : enabled_(init.opset() < 7 && init.attr_int("broadcast", 0) != 0),
        has_axis_(init.has_attr("axis")),
        axis_(init.attr_int("axis", 0)) {}

  // B's shape as numpy broadcasting should see it; written into `buf` when it changes.
  std::span<const int64_t> align_b(const Shape& a, const Shape& b,
                                   int64_t (&buf)[kMaxBroadcastRank]) const {
    if (!enabled_ || !has_axis_) return b;
    const int64_t rank_a = static_cast<int64_t>(a.size());
    const int64_t rank_b = static_cast<int64_t>(b.size());
    const int64_t axis = axis_ < 0 ? axis_ + rank_a : axis_;
    if (axis < 0 || axis + rank_b > rank_a || rank_a > kMaxBroadcastRank) {
      throw Error(ErrorKind::kInvalidArgument, "legacy broadcast axis " + std::to_string(axis_) +
                                                   " does not fit shapes " + shape_to_string(a) +
                                                   " and " + shape_to_string(b));
    }
    const int64_t n = rank_a - axis;
    for (int64_t i = 0; i < n; ++i) buf[i] = i < rank_b ? b[static_cast<size_t>(i)] : 1;
    return {buf, static_cast<size_t>(n)};
  }

 private:
  bool enabled_;
  bool has_axis_;
  int64_t axis_;
};

template <typename Fn, TypeFamily kFamily, bool kBoolOutput = false>
class BinaryKernel final : public OpKernel {
 public:
  explicit BinaryKernel(const KernelInit& init)
      : fn_(make_elementwise_fn<Fn>(init)), legacy_(init) {}

  void infer(InferContext& ctx) const override {
    check_family(ctx, 0, kFamily);
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    if (a.dtype() != b.dtype()) {
      ctx.fail(std::string("inputs must share a dtype, got ") + dtype_name(a.dtype()) + " and " +
               dtype_name(b.dtype()));
    }
    int64_t buf[kMaxBroadcastRank];
    const std::span<const int64_t> b_dims = legacy_.align_b(a.shape(), b.shape(), buf);
    Shape out;
    try {
      out = broadcast_shapes(a.shape(), Shape(b_dims.begin(), b_dims.end()));
    } catch (const Error& e) {
      ctx.fail(e.what());
    }
    ctx.set_output(0, kBoolOutput ? DType::kBool : a.dtype(), std::move(out));
  }

  void run(RunContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    Tensor& y = ctx.output(0);
    int64_t buf[kMaxBroadcastRank];
    const std::span<const int64_t> ins[2] = {a.shape(), legacy_.align_b(a.shape(), b.shape(), buf)};
    dispatch_family<kFamily>(a.dtype(), [&]<typename T>() {
      using C = compute_t<T>;
      using Out = std::conditional_t<kBoolOutput, bool, T>;
      const T* pa = a.data<T>();
      const T* pb = b.data<T>();
      Out* out = y.data<Out>();
      for_each_broadcast_n<2>(y.shape(), ins, [&](int64_t i, const int64_t(&off)[2]) {
        if constexpr (std::is_same_v<T, C>) {
          out[i] = Out(fn_(pa[off[0]], pb[off[1]]));  // no copy for strings
        } else {
          out[i] = Out(fn_(C(pa[off[0]]), C(pb[off[1]])));
        }
      });
    });
  }

 private:
  Fn fn_;
  LegacyBroadcast legacy_;
};

// Integer + - * wrap around like numpy; done in unsigned arithmetic, where wrapping is defined.
template <typename C, typename Op>
C wrapping(C a, C b, Op op) {
  if constexpr (std::is_integral_v<C> && !std::is_same_v<C, bool>) {
    // Below int width the operands would promote to (signed) int and could overflow there.
    using U = std::conditional_t<(sizeof(C) < sizeof(unsigned)), unsigned, std::make_unsigned_t<C>>;
    return static_cast<C>(static_cast<U>(op(static_cast<U>(a), static_cast<U>(b))));
  } else {
    return op(a, b);
  }
}

}  // namespace infera

// The one kernel body behind every unary element-wise op (math functions, activations, Not,
// IsNaN, ...). Each op's own file defines a small functor and registers
//
//   INFERA_REGISTER_OP("Exp", UnaryKernel<ExpFn>);
//
// The functor is `template <typename C> C operator()(C x) const`, where C is the element type
// with float16/bfloat16 widened to float (compute_t). Functors with attributes take a
// `const KernelInit&` constructor and read them there.
#pragma once

#include <type_traits>

#include "ops/elementwise_common.h"
#include "ops/op.h"

namespace infera {

template <typename Fn>
Fn make_elementwise_fn(const KernelInit& init) {
  if constexpr (std::is_constructible_v<Fn, const KernelInit&>) {
    return Fn(init);
  } else {
    return Fn{};
  }
}

// y = fn(x), same dtype and shape as x.
template <typename Fn, TypeFamily kFamily = TypeFamily::kFloat>
class UnaryKernel final : public OpKernel {
 public:
  explicit UnaryKernel(const KernelInit& init) : fn_(make_elementwise_fn<Fn>(init)) {}

  void infer(InferContext& ctx) const override {
    check_family(ctx, 0, kFamily);
    ctx.set_output(0, ctx.input(0).dtype(), ctx.input(0).shape());
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    dispatch_family<kFamily>(x.dtype(), [&]<typename T>() {
      using C = compute_t<T>;
      const T* in = x.data<T>();
      T* out = y.data<T>();
      for (int64_t i = 0, n = x.numel(); i < n; ++i) out[i] = T(fn_(C(in[i])));
    });
  }

 private:
  Fn fn_;
};

// y = pred(x) as bool, same shape as x (IsNaN, IsInf).
template <typename Pred, TypeFamily kFamily = TypeFamily::kFloat>
class UnaryPredicateKernel final : public OpKernel {
 public:
  explicit UnaryPredicateKernel(const KernelInit& init) : pred_(make_elementwise_fn<Pred>(init)) {}

  void infer(InferContext& ctx) const override {
    check_family(ctx, 0, kFamily);
    ctx.set_output(0, DType::kBool, ctx.input(0).shape());
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    bool* out = ctx.output(0).data<bool>();
    dispatch_family<kFamily>(x.dtype(), [&]<typename T>() {
      using C = compute_t<T>;
      const T* in = x.data<T>();
      for (int64_t i = 0, n = x.numel(); i < n; ++i) out[i] = pred_(C(in[i]));
    });
  }

 private:
  Pred pred_;
};

}  // namespace infera

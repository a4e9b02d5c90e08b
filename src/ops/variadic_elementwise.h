// The kernel body behind Max, Min, Sum and Mean: any number of inputs of one dtype, broadcast
// together numpy-style. The output first takes input 0 (broadcast), then folds each further
// input into itself, so no scratch memory is needed. The functor is
// `template <typename C> C operator()(C acc, C x) const`; Mean's kernel divides at the end.
#pragma once

#include <span>
#include <string>

#include "ops/elementwise_common.h"
#include "ops/op.h"
#include "ops/op_util.h"
#include "ops/unary_elementwise.h"

namespace infera {

template <typename Fn, TypeFamily kFamily, bool kMean = false>
class VariadicKernel final : public OpKernel {
 public:
  explicit VariadicKernel(const KernelInit& init) : fn_(make_elementwise_fn<Fn>(init)) {
    if (init.num_inputs() < 1) init.fail("needs at least one input");
  }

  void infer(InferContext& ctx) const override {
    check_family(ctx, 0, kFamily);
    const DType dtype = ctx.input(0).dtype();
    Shape out = ctx.input(0).shape();
    for (int i = 1; i < ctx.num_inputs(); ++i) {
      const Tensor& t = ctx.input(i);
      if (t.dtype() != dtype) {
        ctx.fail("input " + std::to_string(i) + " has dtype " + dtype_name(t.dtype()) +
                 ", input 0 has " + dtype_name(dtype));
      }
      try {
        out = broadcast_shapes(out, t.shape());
      } catch (const Error& e) {
        ctx.fail(e.what());
      }
    }
    ctx.set_output(0, dtype, std::move(out));
  }

  void run(RunContext& ctx) const override {
    Tensor& y = ctx.output(0);
    const int n = ctx.num_inputs();
    dispatch_family<kFamily>(y.dtype(), [&]<typename T>() {
      using C = compute_t<T>;
      T* out = y.data<T>();
      for (int k = 0; k < n; ++k) {
        const Tensor& x = ctx.input(k);
        const T* in = x.data<T>();
        const std::span<const int64_t> ins[1] = {x.shape()};
        for_each_broadcast_n<1>(y.shape(), ins, [&](int64_t i, const int64_t(&off)[1]) {
          out[i] = k == 0 ? in[off[0]] : T(fn_(C(out[i]), C(in[off[0]])));
        });
      }
      if constexpr (kMean) {
        for (int64_t i = 0, total = y.numel(); i < total; ++i) out[i] = T(C(out[i]) / C(n));
      }
    });
  }

 private:
  Fn fn_;
};

}  // namespace infera

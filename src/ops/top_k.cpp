// TopK: the k largest (or smallest) elements along an axis with their int64 indices. Equal
// values keep ascending index order, as the backend tests expect. k is an attribute before
// opset 10 and an input from then on, so the output shape may depend on data.
#include <algorithm>
#include <vector>

#include "ops/dispatch.h"
#include "ops/nd_iter.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace infera {
namespace {

class TopKKernel final : public OpKernel {
 public:
  explicit TopKKernel(const KernelInit& init)
      : k_from_input_(init.opset() >= 10),
        k_attr_(init.attr_int("k", -1)),
        axis_(init.attr_int("axis", -1)),
        largest_(init.attr_int("largest", 1) != 0) {
    if (!k_from_input_ && k_attr_ < 0) init.fail("attribute k is required before opset 10");
  }

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (k_from_input_ && !ctx.input(1).has_data()) {
      ctx.set_output_dynamic(0);
      ctx.set_output_dynamic(1);
      return;
    }
    const Shape out = output_shape(x, k_from_input_ ? &ctx.input(1) : nullptr, ctx.node());
    ctx.set_output(0, x.dtype(), out);
    ctx.set_output(1, DType::kInt64, out);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int axis = static_cast<int>(normalize_axis(axis_, x.rank()));
    int64_t dims[kMaxIterRank];
    for (int d = 0; d < x.rank(); ++d) dims[d] = x.dim(d);
    dims[axis] = read_k(x, k_from_input_ ? &ctx.input(1) : nullptr, ctx.node());
    Tensor& values = data_dependent_output(ctx, 0, x.dtype(), dims, x.rank());
    Tensor& indices = data_dependent_output(ctx, 1, DType::kInt64, dims, x.rank());
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < x.rank(); ++d) {
      if (d < axis) outer *= x.dim(d);
      if (d > axis) inner *= x.dim(d);
    }
    const int64_t n = x.dim(axis), k = dims[axis];
    std::vector<int64_t> order(static_cast<size_t>(n));  // sorting needs room to permute
    dispatch_numeric(x.dtype(), [&]<typename T>() {
      const T* in = x.data<T>();
      T* vals = values.data<T>();
      int64_t* idx = indices.data<int64_t>();
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t i = 0; i < inner; ++i) {
          const T* row = in + o * n * inner + i;
          select_row(row, n, inner, k, order);
          const int64_t out_start = o * k * inner + i;
          for (int64_t j = 0; j < k; ++j) {
            vals[out_start + j * inner] = row[order[size_t(j)] * inner];
            idx[out_start + j * inner] = order[size_t(j)];
          }
        }
      }
    });
  }

 private:
  int64_t read_k(const Tensor& x, const Tensor* k_input, const Node& node) const {
    const int axis = static_cast<int>(normalize_axis(axis_, x.rank()));
    const int64_t k = k_input != nullptr ? read_scalar_int(*k_input) : k_attr_;
    if (k < 0 || k > x.dim(axis)) {
      throw Error(ErrorKind::kInvalidArgument,
                  node.describe() + ": k " + std::to_string(k) + " is outside [0, " +
                      std::to_string(x.dim(axis)) + "] for axis " + std::to_string(axis));
    }
    return k;
  }

  Shape output_shape(const Tensor& x, const Tensor* k_input, const Node& node) const {
    Shape out = x.shape();
    out[size_t(normalize_axis(axis_, x.rank()))] = read_k(x, k_input, node);
    return out;
  }

  // Leaves the first k entries of `order` holding the chosen positions, best first.
  template <typename T>
  void select_row(const T* row, int64_t n, int64_t stride, int64_t k,
                  std::vector<int64_t>& order) const {
    for (int64_t j = 0; j < n; ++j) order[size_t(j)] = j;
    // NaN ranks above every number, as in numpy's sort order.
    auto greater = [](const T& a, const T& b) {
      const bool a_nan = a != a, b_nan = b != b;
      if (a_nan || b_nan) return a_nan && !b_nan;
      return a > b;
    };
    auto better = [&](int64_t a, int64_t b) {
      const T& va = row[a * stride];
      const T& vb = row[b * stride];
      const bool a_first = largest_ ? greater(va, vb) : greater(vb, va);
      const bool b_first = largest_ ? greater(vb, va) : greater(va, vb);
      return a_first || (!b_first && a < b);
    };
    std::partial_sort(order.begin(), order.begin() + k, order.end(), better);
  }

  bool k_from_input_;
  int64_t k_attr_;
  int64_t axis_;
  bool largest_;
};

}  // namespace
INFERA_REGISTER_OP("TopK", TopKKernel);
}  // namespace infera

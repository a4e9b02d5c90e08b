// Unique: the distinct elements (or, with `axis`, distinct slices along it) of X, sorted or in
// order of first appearance, with each one's first index, the inverse map and the counts.
#include <algorithm>
#include <numeric>

#include "ops/movement.h"
#include "ops/op_util.h"

namespace infera {
namespace {

// X seen as [outer, items, inner]: an item is one element (no axis) or one slice along axis.
struct ItemLayout {
  int64_t outer = 1, items = 0, inner = 1;
};

struct UniqueResult {
  std::vector<int64_t> first;    // per unique item, in output order: its first position in X
  std::vector<int64_t> inverse;  // per item of X: its unique's output position
  std::vector<int64_t> counts;   // per unique item, in output order
};

template <typename F>
decltype(auto) dispatch_comparable(DType dt, F&& f) {
  if (dt == DType::kString) return f.template operator()<std::string>();
  return dispatch_numeric_bool(dt, std::forward<F>(f));
}

// -1, 0, 1 as item a sorts before, equal to, after item b (elements compared in row-major order).
template <typename T>
int compare_items(const T* in, const ItemLayout& l, int64_t a, int64_t b) {
  for (int64_t o = 0; o < l.outer; ++o) {
    for (int64_t j = 0; j < l.inner; ++j) {
      const T& x = in[(o * l.items + a) * l.inner + j];
      const T& y = in[(o * l.items + b) * l.inner + j];
      if (x < y) return -1;
      if (y < x) return 1;
    }
  }
  return 0;
}

UniqueResult find_unique(const Tensor& x, const ItemLayout& l, bool sorted) {
  std::vector<int64_t> order(static_cast<size_t>(l.items));
  std::iota(order.begin(), order.end(), 0);
  std::vector<int64_t> group(order.size());  // group (sorted unique rank) of each item
  std::vector<int64_t> group_first, group_count;
  dispatch_comparable(x.dtype(), [&]<typename T>() {
    const T* in = x.data<T>();
    // Stable, so each group starts with its first occurrence.
    std::stable_sort(order.begin(), order.end(),
                     [&](int64_t a, int64_t b) { return compare_items(in, l, a, b) < 0; });
    for (size_t k = 0; k < order.size(); ++k) {
      if (k == 0 || compare_items(in, l, order[k - 1], order[k]) != 0) {
        group_first.push_back(order[k]);
        group_count.push_back(0);
      }
      group[order[k]] = static_cast<int64_t>(group_first.size()) - 1;
      ++group_count.back();
    }
  });
  // Output position of each group: sorted order, or order of first appearance.
  std::vector<int64_t> groups(group_first.size());
  std::iota(groups.begin(), groups.end(), 0);
  if (!sorted)
    std::sort(groups.begin(), groups.end(),
              [&](int64_t a, int64_t b) { return group_first[a] < group_first[b]; });
  std::vector<int64_t> position(groups.size());
  UniqueResult r;
  for (size_t p = 0; p < groups.size(); ++p) {
    position[groups[p]] = static_cast<int64_t>(p);
    r.first.push_back(group_first[groups[p]]);
    r.counts.push_back(group_count[groups[p]]);
  }
  for (int64_t g : group) r.inverse.push_back(position[g]);
  return r;
}

class UniqueKernel final : public OpKernel {
 public:
  explicit UniqueKernel(const KernelInit& init)
      : has_axis_(init.has_attr("axis")),
        axis_(init.attr_int("axis", 0)),
        sorted_(init.attr_int("sorted", 1) != 0) {}

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const ItemLayout l = layout(x);
    if (!x.has_data()) {
      for (int i = 0; i < ctx.num_outputs(); ++i)
        if (ctx.has_output(i)) ctx.set_output_dynamic(i);
      return;
    }
    const int64_t n = static_cast<int64_t>(find_unique(x, l, sorted_).first.size());
    for (int i = 0; i < ctx.num_outputs(); ++i) {
      if (!ctx.has_output(i)) continue;
      if (i == 0)
        ctx.set_output(0, x.dtype(), unique_shape(x, n));
      else
        ctx.set_output(i, DType::kInt64, {i == 2 ? l.items : n});
    }
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const ItemLayout l = layout(x);
    const UniqueResult r = find_unique(x, l, sorted_);
    const int64_t n = static_cast<int64_t>(r.first.size());
    if (ctx.has_output(0)) {
      Tensor& y = planned_or_allocated(ctx, 0, x.dtype(), [&] { return unique_shape(x, n); });
      copy_items(x, l, r.first, y);
    }
    const std::vector<int64_t>* lists[4] = {nullptr, &r.first, &r.inverse, &r.counts};
    for (int i = 1; i < 4; ++i) {
      if (!ctx.has_output(i)) continue;
      const std::vector<int64_t>& v = *lists[i];
      Tensor& t = planned_or_allocated(ctx, i, DType::kInt64,
                                       [&] { return Shape{static_cast<int64_t>(v.size())}; });
      std::copy(v.begin(), v.end(), t.data<int64_t>());
    }
  }

 private:
  ItemLayout layout(const Tensor& x) const {
    ItemLayout l;
    if (!has_axis_) {
      l.items = x.numel();
      return l;
    }
    const int axis = static_cast<int>(normalize_axis(axis_, x.rank(), "Unique axis"));
    for (int d = 0; d < axis; ++d) l.outer *= x.dim(d);
    l.items = x.dim(axis);
    for (int d = axis + 1; d < x.rank(); ++d) l.inner *= x.dim(d);
    return l;
  }
  Shape unique_shape(const Tensor& x, int64_t n) const {
    if (!has_axis_) return {n};
    Shape s = x.shape();
    s[normalize_axis(axis_, x.rank())] = n;
    return s;
  }
  static void copy_items(const Tensor& x, const ItemLayout& l, const std::vector<int64_t>& items,
                         Tensor& y) {
    const int64_t n = static_cast<int64_t>(items.size());
    dispatch_movable(x.dtype(), [&]<typename T>() {
      const T* in = x.data<T>();
      T* out = y.data<T>();
      for (int64_t o = 0; o < l.outer; ++o)
        for (int64_t k = 0; k < n; ++k)
          for (int64_t j = 0; j < l.inner; ++j)
            out[(o * n + k) * l.inner + j] = in[(o * l.items + items[k]) * l.inner + j];
    });
  }

  bool has_axis_;
  int64_t axis_;
  bool sorted_;
};

}  // namespace
INFERA_REGISTER_OP("Unique", UniqueKernel);
}  // namespace infera

// Einsum: general Einstein summation. Repeated labels within an operand take a diagonal,
// "..." stands for broadcast batch dims, and without "->" the output is the ellipsis dims
// followed by the labels used exactly once, in alphabetical order (numpy's implicit mode).
//
// The reference loop visits every output element and, for each, every combination of the
// summed labels, reading each operand through per-label strides (a repeated label's strides
// add up, which is how a diagonal is read).
#include <algorithm>

#include "ops/accum.h"
#include "ops/dispatch.h"
#include "ops/op.h"

namespace infera {
namespace {

constexpr int kLetters = 52;
constexpr int kMaxEllipsis = 16;
constexpr int kMaxLabels = kLetters + kMaxEllipsis;
constexpr int kMaxOperands = 8;
constexpr int kEllipsis = -1;

int letter_id(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return 26 + (c - 'a');
  return -2;
}

// Sizes and strides resolved for one set of input shapes; fixed-size so run() can build it.
struct EinsumPlan {
  int64_t size[kMaxLabels] = {};
  int64_t stride[kMaxOperands][kMaxLabels] = {};
  int out_labels[kMaxLabels] = {};
  int n_out = 0;
  int sum_labels[kMaxLabels] = {};
  int n_sum = 0;
  int ellipsis_rank = 0;
};

class EinsumKernel final : public OpKernel {
 public:
  explicit EinsumKernel(const KernelInit& init) {
    std::string eq;
    for (char c : init.attr_string("equation", "")) {
      if (c != ' ') eq += c;
    }
    const size_t arrow = eq.find("->");
    const std::string lhs = eq.substr(0, arrow);
    size_t start = 0;
    while (true) {
      const size_t comma = lhs.find(',', start);
      inputs_.push_back(parse_term(init, lhs.substr(start, comma - start)));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (static_cast<int>(inputs_.size()) != init.num_inputs())
      init.fail("equation '" + eq + "' names " + std::to_string(inputs_.size()) +
                " operands but the node has " + std::to_string(init.num_inputs()) + " inputs");
    if (inputs_.size() > kMaxOperands) init.unsupported("more than 8 Einsum operands");
    if (arrow != std::string::npos) {
      output_ = parse_term(init, eq.substr(arrow + 2));
    } else {
      output_ = implicit_output();
    }
  }

  void infer(InferContext& ctx) const override {
    EinsumPlan plan;
    Shape y;
    const std::string err =
        resolve([&](int i) -> const Shape& { return ctx.input(i).shape(); }, plan, &y);
    if (!err.empty()) ctx.fail(err);
    for (size_t i = 1; i < inputs_.size(); ++i) {
      if (ctx.input(static_cast<int>(i)).dtype() != ctx.input(0).dtype())
        ctx.fail("operand " + std::to_string(i) + " is " +
                 dtype_name(ctx.input(static_cast<int>(i)).dtype()) + " but operand 0 is " +
                 dtype_name(ctx.input(0).dtype()));
    }
    ctx.set_output(0, ctx.input(0).dtype(), y);
  }

  void run(RunContext& ctx) const override {
    EinsumPlan plan;
    resolve([&](int i) -> const Shape& { return ctx.input(i).shape(); }, plan, nullptr);
    dispatch_numeric(ctx.input(0).dtype(), [&]<typename T>() {
      const T* data[kMaxOperands];
      for (size_t i = 0; i < inputs_.size(); ++i)
        data[i] = ctx.input(static_cast<int>(i)).data<T>();
      contract<T>(plan, data, ctx.output(0).data<T>());
    });
  }

 private:
  static std::vector<int> parse_term(const KernelInit& init, const std::string& term) {
    std::vector<int> labels;
    for (size_t i = 0; i < term.size(); ++i) {
      if (term.compare(i, 3, "...") == 0) {
        if (std::count(labels.begin(), labels.end(), kEllipsis) > 0)
          init.fail("term '" + term + "' has more than one ellipsis");
        labels.push_back(kEllipsis);
        i += 2;
        continue;
      }
      const int id = letter_id(term[i]);
      if (id < 0) init.fail("term '" + term + "' has a character that is not a letter");
      labels.push_back(id);
    }
    return labels;
  }

  std::vector<int> implicit_output() const {
    int count[kLetters] = {};
    bool ellipsis = false;
    for (const std::vector<int>& term : inputs_) {
      for (int l : term) {
        if (l == kEllipsis) {
          ellipsis = true;
        } else {
          ++count[l];
        }
      }
    }
    std::vector<int> out;
    if (ellipsis) out.push_back(kEllipsis);
    for (int l = 0; l < kLetters; ++l) {
      if (count[l] == 1) out.push_back(l);
    }
    return out;
  }

  template <typename ShapeOf>
  std::string resolve(ShapeOf shape_of, EinsumPlan& p, Shape* out_shape) const;

  template <typename T>
  void contract(const EinsumPlan& p, const T* const* data, T* y) const;

  std::vector<std::vector<int>> inputs_;
  std::vector<int> output_;
};

template <typename ShapeOf>
std::string EinsumKernel::resolve(ShapeOf shape_of, EinsumPlan& p, Shape* out_shape) const {
  bool used[kMaxLabels] = {};
  // Ellipsis dims are right-aligned across operands and broadcast like numpy batch dims.
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const Shape& s = shape_of(static_cast<int>(i));
    const int letters =
        static_cast<int>(inputs_[i].size()) -
        static_cast<int>(std::count(inputs_[i].begin(), inputs_[i].end(), kEllipsis));
    const int e = static_cast<int>(s.size()) - letters;
    const bool has_ellipsis = letters != static_cast<int>(inputs_[i].size());
    if (e < 0 || (e > 0 && !has_ellipsis))
      return "operand " + std::to_string(i) + " has shape " + shape_to_string(s) +
             " but its term has " + std::to_string(letters) + " labels";
    if (e > kMaxEllipsis) return "too many ellipsis dims";
    p.ellipsis_rank = std::max(p.ellipsis_rank, e);
  }
  for (int l = 0; l < kMaxLabels; ++l) p.size[l] = 1;
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const Shape& s = shape_of(static_cast<int>(i));
    const int e = static_cast<int>(s.size() + 1 - inputs_[i].size());  // ellipsis dims here
    int64_t stride = 1;
    int dim = static_cast<int>(s.size());
    for (int t = static_cast<int>(inputs_[i].size()) - 1; t >= 0; --t) {
      const int l = inputs_[i][t];
      const int n = l == kEllipsis ? e : 1;
      for (int j = n - 1; j >= 0; --j) {
        const int64_t extent = s[--dim];
        const int label = l == kEllipsis ? kLetters + p.ellipsis_rank - e + j : l;
        const bool broadcast = l == kEllipsis && extent == 1;
        if (!broadcast) {
          if (used[label] && p.size[label] != extent && !(label >= kLetters && p.size[label] == 1))
            return "label of operand " + std::to_string(i) + " has extent " +
                   std::to_string(extent) + " but elsewhere " + std::to_string(p.size[label]);
          p.size[label] = extent;
          p.stride[i][label] += stride;
        }
        used[label] = true;
        stride *= extent;
      }
    }
  }
  bool in_output[kMaxLabels] = {};
  for (int l : output_) {
    const int n = l == kEllipsis ? p.ellipsis_rank : 1;
    for (int j = 0; j < n; ++j) {
      const int label = l == kEllipsis ? kLetters + j : l;
      if (!used[label]) return "output label does not appear in any input";
      in_output[label] = true;
      p.out_labels[p.n_out++] = label;
      if (out_shape) out_shape->push_back(p.size[label]);
    }
  }
  for (int l = 0; l < kMaxLabels; ++l) {
    if (used[l] && !in_output[l]) p.sum_labels[p.n_sum++] = l;
  }
  return {};
}

template <typename T>
void EinsumKernel::contract(const EinsumPlan& p, const T* const* data, T* y) const {
  using Acc = accum_t<T>;
  const int n_ops = static_cast<int>(inputs_.size());
  int64_t out_total = 1, sum_total = 1;
  for (int i = 0; i < p.n_out; ++i) out_total *= p.size[p.out_labels[i]];
  for (int i = 0; i < p.n_sum; ++i) sum_total *= p.size[p.sum_labels[i]];
  for (int64_t o = 0; o < out_total; ++o) {
    int64_t base[kMaxOperands] = {};
    for (int64_t rest = o, i = p.n_out - 1; i >= 0; --i) {
      const int l = p.out_labels[i];
      const int64_t idx = rest % p.size[l];
      rest /= p.size[l];
      for (int k = 0; k < n_ops; ++k) base[k] += idx * p.stride[k][l];
    }
    Acc sum = 0;
    for (int64_t s = 0; s < sum_total; ++s) {
      int64_t off[kMaxOperands];
      std::copy(base, base + n_ops, off);
      for (int64_t rest = s, i = p.n_sum - 1; i >= 0; --i) {
        const int l = p.sum_labels[i];
        const int64_t idx = rest % p.size[l];
        rest /= p.size[l];
        for (int k = 0; k < n_ops; ++k) off[k] += idx * p.stride[k][l];
      }
      Acc prod = 1;
      for (int k = 0; k < n_ops; ++k) prod *= Acc(data[k][off[k]]);
      sum += prod;
    }
    y[o] = T(sum);
  }
}

}  // namespace
INFERA_REGISTER_OP("Einsum", EinsumKernel);
}  // namespace infera

// TfIdfVectorizer: counts the pool's n-grams in each row of a [C] or [N, C] int or string
// tensor and scores them (TF: count, IDF: weight when present, TFIDF: count * weight) into a
// float32 [max(ngram_indexes) + 1] or [N, ...] output.
//
// The pool lists n-grams grouped by length: ngram_counts[n - 1] is where the n-grams start.
// An n-gram may skip up to max_skip_count items between its elements (the same gap throughout);
// unigrams are counted once per position whatever the skip.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "ops/dispatch.h"
#include "ops/op.h"

namespace infera {
namespace {

// Row elements first, first + stride, ...: an n-gram candidate, compared without copying.
template <typename Elem>
struct GramView {
  const Elem* first;
  int64_t n;
  int64_t stride;
  const Elem& operator[](int64_t m) const { return first[m * stride]; }
};

template <typename Key>
struct GramLess {
  using is_transparent = void;
  bool operator()(const std::vector<Key>& a, const std::vector<Key>& b) const { return a < b; }
  template <typename E>
  bool operator()(const std::vector<Key>& a, const GramView<E>& b) const {
    return compare(a, b) < 0;
  }
  template <typename E>
  bool operator()(const GramView<E>& a, const std::vector<Key>& b) const {
    return compare(b, a) > 0;
  }
  template <typename E>
  static int compare(const std::vector<Key>& a, const GramView<E>& b) {
    const int64_t len = static_cast<int64_t>(a.size());
    for (int64_t m = 0; m < std::min(len, b.n); ++m) {
      if (a[m] < b[m]) return -1;
      if (b[m] < a[m]) return 1;
    }
    return len < b.n ? -1 : (len > b.n ? 1 : 0);
  }
};

template <typename Key>
using GramPool = std::map<std::vector<Key>, int64_t, GramLess<Key>>;

// Splits the flat pool into n-grams numbered in pool order.
template <typename Key>
GramPool<Key> build_pool(const KernelInit& init, const std::vector<Key>& flat,
                         const std::vector<int64_t>& counts) {
  GramPool<Key> pool;
  int64_t id = 0;
  for (size_t level = 0; level < counts.size(); ++level) {
    const int64_t n = static_cast<int64_t>(level) + 1;
    const int64_t begin = counts[level];
    const int64_t end =
        level + 1 < counts.size() ? counts[level + 1] : static_cast<int64_t>(flat.size());
    if (begin < 0 || end < begin || end > static_cast<int64_t>(flat.size()) ||
        (end - begin) % n != 0) {
      init.fail("ngram_counts do not split the pool into whole " + std::to_string(n) + "-grams");
    }
    for (int64_t at = begin; at < end; at += n) {
      pool.emplace(std::vector<Key>(flat.begin() + at, flat.begin() + at + n), id++);
    }
  }
  return pool;
}

enum class TfIdfMode { kTf, kIdf, kTfIdf };

class TfIdfVectorizerKernel final : public OpKernel {
 public:
  explicit TfIdfVectorizerKernel(const KernelInit& init)
      : min_gram_(init.attr_int("min_gram_length")),
        max_gram_(init.attr_int("max_gram_length")),
        max_skip_(init.attr_int("max_skip_count")),
        indexes_(init.attr_ints("ngram_indexes")),
        weights_(init.attr_floats("weights")) {
    const std::string mode = init.attr_string("mode", "");
    if (mode == "TF") {
      mode_ = TfIdfMode::kTf;
    } else if (mode == "IDF") {
      mode_ = TfIdfMode::kIdf;
    } else if (mode == "TFIDF") {
      mode_ = TfIdfMode::kTfIdf;
    } else {
      init.fail("mode must be TF, IDF or TFIDF, got '" + mode + "'");
    }
    if (min_gram_ < 1 || max_gram_ < min_gram_ || max_skip_ < 0) {
      init.fail("need 1 <= min_gram_length <= max_gram_length and max_skip_count >= 0");
    }
    const std::vector<int64_t> counts = init.attr_ints("ngram_counts");
    string_pool_ = init.has_attr("pool_strings");
    if (string_pool_) {
      strings_ = build_pool(init, init.attr_strings("pool_strings"), counts);
    } else {
      ints_ = build_pool(init, init.attr_ints("pool_int64s"), counts);
    }
    const size_t grams = string_pool_ ? strings_.size() : ints_.size();
    if (indexes_.size() != grams) {
      init.fail("ngram_indexes should have " + std::to_string(grams) + " entries, got " +
                std::to_string(indexes_.size()));
    }
    if (!weights_.empty() && weights_.size() != grams) {
      init.fail("weights should have " + std::to_string(grams) + " entries, got " +
                std::to_string(weights_.size()));
    }
    for (int64_t index : indexes_) {
      if (index < 0) init.fail("ngram_indexes must not be negative");
      width_ = std::max(width_, index + 1);
    }
  }

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const bool is_string = x.dtype() == DType::kString;
    if (is_string != string_pool_ ||
        (!is_string && x.dtype() != DType::kInt32 && x.dtype() != DType::kInt64)) {
      ctx.fail(std::string("input should be ") + (string_pool_ ? "string" : "int32 or int64") +
               " to match the pool, got " + dtype_name(x.dtype()));
    }
    if (x.rank() == 1) {
      ctx.set_output(0, DType::kFloat32, {width_});
    } else if (x.rank() == 2) {
      ctx.set_output(0, DType::kFloat32, {x.dim(0), width_});
    } else {
      ctx.fail("input should be [C] or [N, C], got " + shape_to_string(x.shape()));
    }
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    float* y = ctx.output(0).data<float>();
    const int64_t rows = x.rank() == 2 ? x.dim(0) : 1;
    const int64_t cols = x.rank() == 2 ? x.dim(1) : x.numel();
    std::fill_n(y, rows * width_, 0.0f);
    for (int64_t r = 0; r < rows; ++r) {
      float* out = y + r * width_;
      if (string_pool_) {
        count_row(strings_, x.data<std::string>() + r * cols, cols, out);
      } else if (x.dtype() == DType::kInt32) {
        count_row(ints_, x.data<int32_t>() + r * cols, cols, out);
      } else {
        count_row(ints_, x.data<int64_t>() + r * cols, cols, out);
      }
      score_row(out);
    }
  }

 private:
  template <typename Key, typename Elem>
  void count_row(const GramPool<Key>& pool, const Elem* row, int64_t cols, float* out) const {
    for (int64_t start = 0; start < cols; ++start) {
      for (int64_t n = min_gram_; n <= max_gram_; ++n) {
        const int64_t skips = n == 1 ? 0 : max_skip_;
        for (int64_t skip = 0; skip <= skips; ++skip) {
          if (start + (n - 1) * (skip + 1) >= cols) break;
          const auto found = pool.find(GramView<Elem>{row + start, n, skip + 1});
          if (found != pool.end()) out[indexes_[found->second]] += 1.0f;
        }
      }
    }
  }

  void score_row(float* out) const {
    if (mode_ == TfIdfMode::kTf) return;
    for (size_t id = 0; id < indexes_.size(); ++id) {
      float& v = out[indexes_[id]];
      const float weight = weights_.empty() ? 1.0f : weights_[id];
      v = mode_ == TfIdfMode::kIdf ? (v > 0 ? weight : 0.0f) : v * weight;
    }
  }

  int64_t min_gram_, max_gram_, max_skip_;
  std::vector<int64_t> indexes_;
  std::vector<float> weights_;
  TfIdfMode mode_ = TfIdfMode::kTf;
  bool string_pool_ = false;
  GramPool<int64_t> ints_;
  GramPool<std::string> strings_;
  int64_t width_ = 0;
};

}  // namespace
INFERA_REGISTER_OP("TfIdfVectorizer", TfIdfVectorizerKernel);
}  // namespace infera

// StringNormalizer: drops stopwords from a [C] or [1, C] string tensor and optionally changes
// case. An input left empty becomes a single "" so the output is never zero-sized.
//
// Case mapping is locale-free: ASCII letters plus the Latin-1 letters of UTF-8 (U+00C0-U+00FE,
// two bytes 0xC3 xx), which is what the en_US locale the ONNX tests assume maps for them.
#include <set>
#include <string>
#include <vector>

#include "ops/op.h"
#include "ops/slot_util.h"

namespace infera {
namespace {

enum class CaseChange { kNone, kLower, kUpper };

void change_case(std::string& s, CaseChange action) {
  if (action == CaseChange::kNone) return;
  const bool upper = action == CaseChange::kUpper;
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char ch = static_cast<unsigned char>(s[i]);
    if (ch < 0x80) {
      if (upper && ch >= 'a' && ch <= 'z') s[i] = static_cast<char>(ch - 'a' + 'A');
      if (!upper && ch >= 'A' && ch <= 'Z') s[i] = static_cast<char>(ch - 'A' + 'a');
    } else if (ch == 0xC3 && i + 1 < s.size()) {
      // 0x80-0x9E upper, 0xA0-0xBE lower; 0x97 and 0xB7 are the signs x and /, not letters.
      const unsigned char next = static_cast<unsigned char>(s[i + 1]);
      if (upper && next >= 0xA0 && next <= 0xBE && next != 0xB7)
        s[i + 1] = static_cast<char>(next - 0x20);
      if (!upper && next >= 0x80 && next <= 0x9E && next != 0x97)
        s[i + 1] = static_cast<char>(next + 0x20);
      ++i;
    }
  }
}

class StringNormalizerKernel final : public OpKernel {
 public:
  explicit StringNormalizerKernel(const KernelInit& init)
      : case_sensitive_(init.attr_int("is_case_sensitive", 0) != 0) {
    const std::string action = init.attr_string("case_change_action", "NONE");
    if (action == "LOWER") {
      action_ = CaseChange::kLower;
    } else if (action == "UPPER") {
      action_ = CaseChange::kUpper;
    } else if (action != "NONE") {
      init.fail("case_change_action must be NONE, LOWER or UPPER, got '" + action + "'");
    }
    if (init.has_attr("stopwords")) {
      for (std::string word : init.attr_strings("stopwords")) stopwords_.insert(folded(word));
    }
  }

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != DType::kString)
      ctx.fail(std::string("input should be string, got ") + dtype_name(x.dtype()));
    if (!(x.rank() == 1 || (x.rank() == 2 && x.dim(0) == 1))) {
      ctx.fail("input should be [C] or [1, C], got " + shape_to_string(x.shape()));
    }
    // Declared dynamic until the strings are there: string tensors must be constructed, so
    // they are left out of the raw arena, and the count kept depends on the data anyway.
    if (x.has_data()) {
      ctx.set_output(0, DType::kString, output_shape(x, kept_count(x)));
    } else {
      ctx.set_output_dynamic(0);
    }
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t kept = kept_count(x);
    Tensor& y = output_with_shape(ctx, 0, DType::kString, output_shape(x, kept));
    const std::string* in = x.data<std::string>();
    std::string* out = y.data<std::string>();
    if (kept == 0) out[0].clear();
    for (int64_t i = 0; i < x.numel(); ++i) {
      if (is_stopword(in[i])) continue;
      *out = in[i];
      change_case(*out, action_);
      ++out;
    }
  }

 private:
  std::string folded(std::string s) const {
    if (!case_sensitive_) change_case(s, CaseChange::kLower);
    return s;
  }
  bool is_stopword(const std::string& s) const {
    return !stopwords_.empty() && stopwords_.count(folded(s)) != 0;
  }
  int64_t kept_count(const Tensor& x) const {
    int64_t kept = 0;
    const std::string* in = x.data<std::string>();
    for (int64_t i = 0; i < x.numel(); ++i) kept += is_stopword(in[i]) ? 0 : 1;
    return kept;
  }
  static Shape output_shape(const Tensor& x, int64_t kept) {
    const int64_t c = kept == 0 ? 1 : kept;
    return x.rank() == 1 ? Shape{c} : Shape{1, c};
  }

  bool case_sensitive_;
  CaseChange action_ = CaseChange::kNone;
  std::set<std::string> stopwords_;
};

}  // namespace
INFERA_REGISTER_OP("StringNormalizer", StringNormalizerKernel);
}  // namespace infera

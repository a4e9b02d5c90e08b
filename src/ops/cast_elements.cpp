#include "ops/cast_elements.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <type_traits>

#include "ops/elementwise_common.h"

namespace infera {
namespace {

template <typename T>
constexpr bool kIsFloat =
    std::is_floating_point_v<T> || std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>;

// Integer from a double without C++'s undefined behaviour for NaN or out-of-range values:
// NaN gives 0, values beyond int64 saturate, and narrower types then wrap as numpy does.
template <typename D>
D float_to_integer(double v) {
  if (std::isnan(v)) return D(0);
  if constexpr (std::is_same_v<D, uint64_t>) {
    if (v >= 18446744073709551615.0) return std::numeric_limits<uint64_t>::max();
    if (v >= 0) return static_cast<uint64_t>(v);
  }
  if (v >= 9223372036854775807.0) return static_cast<D>(std::numeric_limits<int64_t>::max());
  if (v <= -9223372036854775808.0) return static_cast<D>(std::numeric_limits<int64_t>::min());
  return static_cast<D>(static_cast<int64_t>(v));
}

template <typename D, typename S>
D convert(S s) {
  // float -> bfloat16 rounds to nearest even, as PyTorch and current ONNX do. (The ONNX 1.12
  // test test_cast_FLOAT_to_BFLOAT16 expects truncation; we keep the rounding.)
  if constexpr (std::is_same_v<D, BFloat16> && !std::is_same_v<S, bool>) {
    return BFloat16(static_cast<float>(compute_t<S>(s)));
  } else if constexpr (std::is_same_v<D, bool>) {
    return static_cast<double>(compute_t<S>(s)) != 0.0;
  } else if constexpr (std::is_same_v<S, bool>) {
    return D(s ? 1 : 0);
  } else if constexpr (kIsFloat<D>) {
    if constexpr (std::is_same_v<D, double>) return static_cast<double>(compute_t<S>(s));
    if constexpr (std::is_same_v<S, double>) return D(static_cast<float>(s));
    return D(static_cast<compute_t<D>>(compute_t<S>(s)));
  } else if constexpr (kIsFloat<S>) {
    return float_to_integer<D>(static_cast<double>(compute_t<S>(s)));
  } else {
    return static_cast<D>(s);
  }
}

// numpy prints a float scalar positionally when 1e-4 <= |x| < 1e16 (or x is 0), otherwise in
// scientific form, with the fewest digits that read back as the same value.
// `sci` is the shortest scientific form "d.ddde±XX" of the value.
std::string numpy_float_text(const char* sci, double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  std::string text(sci);
  std::string sign;
  if (text[0] == '-') {
    sign = "-";
    text.erase(0, 1);
  }
  const size_t e_pos = text.find('e');
  const int exponent = std::atoi(text.c_str() + e_pos + 1);
  std::string digits;
  for (size_t i = 0; i < e_pos; ++i) {
    if (text[i] != '.') digits += text[i];
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  const double mag = std::fabs(v);
  if (mag == 0 || (mag >= 1e-4 && mag < 1e16)) {
    if (exponent < 0)
      return sign + "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
    const size_t int_len = static_cast<size_t>(exponent) + 1;
    if (digits.size() <= int_len)
      return sign + digits + std::string(int_len - digits.size(), '0') + ".0";
    return sign + digits.substr(0, int_len) + "." + digits.substr(int_len);
  }
  std::string out = sign + digits.substr(0, 1);
  if (digits.size() > 1) out += "." + digits.substr(1);
  char exp_text[16];
  std::snprintf(exp_text, sizeof(exp_text), "e%c%02d", exponent < 0 ? '-' : '+',
                std::abs(exponent));
  return out + exp_text;
}

template <typename S>
std::string to_text(S s) {
  if constexpr (std::is_same_v<S, bool>) {
    return s ? "True" : "False";
  } else if constexpr (std::is_same_v<S, float> || std::is_same_v<S, double>) {
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof(buf) - 1, s, std::chars_format::scientific);
    *res.ptr = '\0';
    return numpy_float_text(buf, static_cast<double>(s));
  } else if constexpr (kIsFloat<S>) {
    // No shortest-form printer exists for 16-bit floats: try ever more digits until the text
    // reads back as the same 16-bit value.
    const float f = s;
    char buf[64];
    for (int precision = 0; precision < 9; ++precision) {
      std::snprintf(buf, sizeof(buf), "%.*e", precision, static_cast<double>(f));
      if (S(std::strtof(buf, nullptr)).bits == s.bits) break;
    }
    return numpy_float_text(buf, static_cast<double>(f));
  } else {
    return std::to_string(s);
  }
}

template <typename D>
D from_text(const std::string& text) {
  if constexpr (std::is_same_v<D, bool>) {
    if (text == "True" || text == "true") return true;
    if (text == "False" || text == "false") return false;
    return std::strtod(text.c_str(), nullptr) != 0.0;
  } else if constexpr (kIsFloat<D>) {
    // strtod accepts "nan", "inf", "+inf" in any letter case, which covers "NaN" and "INF".
    return convert<D>(std::strtod(text.c_str(), nullptr));
  } else if constexpr (std::is_signed_v<D>) {
    return static_cast<D>(std::strtoll(text.c_str(), nullptr, 10));
  } else {
    return static_cast<D>(std::strtoull(text.c_str(), nullptr, 10));
  }
}

}  // namespace

bool cast_supported(DType from, DType to) {
  return family_contains(TypeFamily::kAny, from) && family_contains(TypeFamily::kAny, to);
}

void cast_elements(const Tensor& src, Tensor& dst) {
  const int64_t n = src.numel();
  if (src.dtype() == DType::kString && dst.dtype() == DType::kString) {
    src.copy_to(dst);
  } else if (src.dtype() == DType::kString) {
    const std::string* in = src.data<std::string>();
    dispatch_numeric_bool(dst.dtype(), [&]<typename D>() {
      D* out = dst.data<D>();
      for (int64_t i = 0; i < n; ++i) out[i] = from_text<D>(in[i]);
    });
  } else if (dst.dtype() == DType::kString) {
    std::string* out = dst.data<std::string>();
    dispatch_numeric_bool(src.dtype(), [&]<typename S>() {
      const S* in = src.data<S>();
      for (int64_t i = 0; i < n; ++i) out[i] = to_text(in[i]);
    });
  } else {
    dispatch_numeric_bool(src.dtype(), [&]<typename S>() {
      dispatch_numeric_bool(dst.dtype(), [&]<typename D>() {
        const S* in = src.data<S>();
        D* out = dst.data<D>();
        for (int64_t i = 0; i < n; ++i) out[i] = convert<D>(in[i]);
      });
    });
  }
}

}  // namespace infera

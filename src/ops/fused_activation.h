// The activations the com.infera fused ops (FusedConv, FusedGemm, FusedMatMul) apply to their
// result, in one place so the reference kernels, the optimized variants and the tests agree.
//
// A fused node names its activation in the string attribute `activation` ("" for none) and
// passes its parameters in the floats attribute `activation_params`:
//   Clip [min, max], LeakyRelu [alpha], HardSigmoid [alpha, beta]; the others take none.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace infera {

enum class FusedActivationKind : uint8_t {
  kNone,
  kRelu,
  kClip,
  kSigmoid,
  kTanh,
  kLeakyRelu,
  kHardSigmoid,
  kHardSwish,
  kSiLU
};

struct FusedActivation {
  FusedActivationKind kind = FusedActivationKind::kNone;
  float p0 = 0;  // Clip min, LeakyRelu alpha, HardSigmoid alpha
  float p1 = 0;  // Clip max, HardSigmoid beta

  // Reads (name, params) as written in the attributes; false when the name is unknown or the
  // parameter count is wrong.
  static bool parse(const std::string& name, const std::vector<float>& params,
                    FusedActivation& out) {
    struct Entry {
      const char* name;
      FusedActivationKind kind;
      size_t params;
    };
    static const Entry kEntries[] = {
        {"", FusedActivationKind::kNone, 0},
        {"Relu", FusedActivationKind::kRelu, 0},
        {"Clip", FusedActivationKind::kClip, 2},
        {"Sigmoid", FusedActivationKind::kSigmoid, 0},
        {"Tanh", FusedActivationKind::kTanh, 0},
        {"LeakyRelu", FusedActivationKind::kLeakyRelu, 1},
        {"HardSigmoid", FusedActivationKind::kHardSigmoid, 2},
        {"HardSwish", FusedActivationKind::kHardSwish, 0},
        {"SiLU", FusedActivationKind::kSiLU, 0},
    };
    for (const Entry& e : kEntries) {
      if (name != e.name) continue;
      if (params.size() != e.params) return false;
      out.kind = e.kind;
      out.p0 = params.size() > 0 ? params[0] : 0.f;
      out.p1 = params.size() > 1 ? params[1] : 0.f;
      return true;
    }
    return false;
  }

  // The activation of one value, computed in C (float, or double for double tensors).
  template <typename C>
  C operator()(C x) const {
    switch (kind) {
      case FusedActivationKind::kNone:
        return x;
      case FusedActivationKind::kRelu:
        return x < C(0) ? C(0) : x;
      case FusedActivationKind::kClip:
        return std::min(std::max(x, C(p0)), C(p1));
      case FusedActivationKind::kSigmoid:
        return C(1) / (C(1) + std::exp(-x));
      case FusedActivationKind::kTanh:
        return std::tanh(x);
      case FusedActivationKind::kLeakyRelu:
        return x < C(0) ? C(p0) * x : x;
      case FusedActivationKind::kHardSigmoid:
        return std::max(C(0), std::min(C(1), C(p0) * x + C(p1)));
      case FusedActivationKind::kHardSwish:
        return x * std::max(C(0), std::min(C(1), x / C(6) + C(0.5)));
      case FusedActivationKind::kSiLU:
        return x / (C(1) + std::exp(-x));
    }
    return x;
  }

  // Applies the activation in place to n values of type T (float types).
  template <typename T>
  void apply(T* data, int64_t n) const {
    if (kind == FusedActivationKind::kNone) return;
    using C = std::conditional_t<std::is_same_v<T, double>, double, float>;
    for (int64_t i = 0; i < n; ++i) data[i] = T((*this)(C(data[i])));
  }
};

}  // namespace infera

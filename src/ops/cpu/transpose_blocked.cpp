// Fast Transpose for permutations that are a (batched) swap of two axis groups once adjacent
// axes that stay together are merged: NCHW <-> NHWC, the last-two-axes swap of 2-D/3-D
// tensors, [B,S,H,D] -> [B,H,S,D], ... The swap is done in 32x32 tiles so both the reads and
// the writes stay within a few cache lines. Any element type but strings; other permutations
// go to the reference.
#include <cstring>
#include <vector>

#include "ops/cpu/simd_variant.h"

namespace infera {
namespace {

// The transpose as `batch` matrices [rows, cols] to be turned into [cols, rows].
struct BatchedSwap {
  int64_t batch = 1, rows = 1, cols = 1;
};

// Drops size-1 dims, merges axes that stay adjacent, then accepts perm [0], [1,0] or [0,2,1].
bool plan_swap(const Shape& in, const std::vector<int64_t>& perm_attr, BatchedSwap& swap) {
  const int rank = static_cast<int>(in.size());
  int64_t perm[16];
  if (rank > 16) return false;
  for (int d = 0; d < rank; ++d) {
    perm[d] = perm_attr.empty() ? rank - 1 - d : perm_attr[d];
    if (perm[d] < 0) perm[d] += rank;
  }
  int64_t groups[16];  // extents of merged output axes, in output order
  int64_t first_axis[16];
  int n = 0;
  for (int d = 0; d < rank; ++d) {
    const int64_t axis = perm[d];
    if (in[axis] == 1) continue;
    if (n > 0 && axis == first_axis[n - 1] + 1) {
      groups[n - 1] *= in[axis];
      first_axis[n - 1] = axis;  // the last input axis merged so far
      continue;
    }
    groups[n] = in[axis];
    first_axis[n] = axis;
    ++n;
  }
  if (n <= 1) return true;  // a copy
  // Input order of the groups: by their (last) input axis.
  auto before = [&](int g, int h) { return first_axis[g] < first_axis[h]; };
  if (n == 2 && before(1, 0)) {
    swap = {1, groups[1], groups[0]};
    return true;
  }
  if (n == 3 && before(0, 2) && before(2, 1)) {
    swap = {groups[0], groups[2], groups[1]};
    return true;
  }
  return false;
}

template <class T>
void transpose_tiles(const T* in, T* out, const BatchedSwap& s, int64_t item0, int64_t item1,
                     int64_t strips_per_matrix) {
  constexpr int64_t kTile = 32;
  for (int64_t item = item0; item < item1; ++item) {
    const int64_t b = item / strips_per_matrix, r0 = (item % strips_per_matrix) * kTile;
    const T* src = in + b * s.rows * s.cols;
    T* dst = out + b * s.rows * s.cols;
    const int64_t r1 = std::min(s.rows, r0 + kTile);
    for (int64_t c0 = 0; c0 < s.cols; c0 += kTile) {
      const int64_t c1 = std::min(s.cols, c0 + kTile);
      for (int64_t c = c0; c < c1; ++c)
        for (int64_t r = r0; r < r1; ++r) dst[c * s.rows + r] = src[r * s.cols + c];
    }
  }
}

class TransposeBlockedKernel final : public SimdVariantKernel {
 public:
  explicit TransposeBlockedKernel(const KernelInit& init)
      : SimdVariantKernel(init, "transpose"), perm_(init.attr_ints("perm")) {}
  static bool applies(const KernelInit&) { return true; }
  std::string kernel_name() const override { return "transpose_blocked"; }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    const size_t size = dtype_size(x.dtype());
    BatchedSwap s;
    if (x.dtype() == DType::kString || x.numel() == 0 || !plan_swap(x.shape(), perm_, s))
      return reference().run(ctx);
    if (s.rows == 1 || s.cols == 1) {
      std::memcpy(y.raw(), x.raw(), x.nbytes());
      return;
    }
    const int64_t strips = (s.rows + 31) / 32;
    auto run_as = [&](auto zero) {
      using T = decltype(zero);
      const T* in = static_cast<const T*>(x.raw());
      T* out = static_cast<T*>(y.raw());
      parallel_ranges(ctx.threads(), s.batch * strips, 32 * s.cols, [&](int64_t i0, int64_t i1) {
        transpose_tiles(in, out, s, i0, i1, strips);
      });
    };
    switch (size) {
      case 1: return run_as(uint8_t{});
      case 2: return run_as(uint16_t{});
      case 4: return run_as(uint32_t{});
      case 8: return run_as(uint64_t{});
      default: return reference().run(ctx);
    }
  }

 private:
  std::vector<int64_t> perm_;
};

}  // namespace
INFERA_REGISTER_VARIANT("Transpose", 10, TransposeBlockedKernel);
}  // namespace infera

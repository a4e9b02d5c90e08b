// Fast Transpose for permutations that are a (batched) swap of two axis groups once adjacent
// axes that stay together are merged: NCHW <-> NHWC, the last-two-axes swap of 2-D/3-D
// tensors, [B,S,H,D] -> [B,H,D,S], ... The swap is done in 32x32 tiles so both the reads and
// the writes stay within a few cache lines. Permutations that keep the innermost axis in place
// ([B,S,H,D] -> [B,H,S,D]) copy whole rows. Any element type but strings; other permutations
// go to the reference.
#include <cstring>
#include <vector>

#include "ops/cpu/simd_variant.h"
#include "ops/movement.h"

namespace infera {
namespace {

// The transpose as `batch` matrices [rows, cols] to be turned into [cols, rows].
struct BatchedSwap {
  int64_t batch = 1, rows = 1, cols = 1;
};

// The permutation with size-1 dims dropped and adjacent axes that stay together merged: the
// extents of the merged axes in output order, and for each the last input axis it holds.
struct MergedAxes {
  int n = 0;
  int64_t extent[16];
  int64_t last_axis[16];
};

bool merge_axes(const Shape& in, const std::vector<int64_t>& perm_attr, MergedAxes& m) {
  const int rank = static_cast<int>(in.size());
  int64_t perm[16];
  if (rank > 16) return false;
  for (int d = 0; d < rank; ++d) {
    perm[d] = perm_attr.empty() ? rank - 1 - d : perm_attr[d];
    if (perm[d] < 0) perm[d] += rank;
  }
  m.n = 0;
  for (int d = 0; d < rank; ++d) {
    const int64_t axis = perm[d];
    if (in[axis] == 1) continue;
    if (m.n > 0 && axis == m.last_axis[m.n - 1] + 1) {
      m.extent[m.n - 1] *= in[axis];
      m.last_axis[m.n - 1] = axis;
      continue;
    }
    m.extent[m.n] = in[axis];
    m.last_axis[m.n] = axis;
    ++m.n;
  }
  return true;
}

// Accepts merged perms [0], [1,0] or [0,2,1]: a batch of matrix transposes.
bool plan_swap(const MergedAxes& m, BatchedSwap& swap) {
  if (m.n <= 1) return true;  // a copy
  // Input order of the groups: by their (last) input axis.
  auto before = [&](int g, int h) { return m.last_axis[g] < m.last_axis[h]; };
  if (m.n == 2 && before(1, 0)) {
    swap = {1, m.extent[1], m.extent[0]};
    return true;
  }
  if (m.n == 3 && before(0, 2) && before(2, 1)) {
    swap = {m.extent[0], m.extent[2], m.extent[1]};
    return true;
  }
  return false;
}

// When the innermost axis stays innermost ([S,H,D] -> [H,S,D] between attention heads), each
// output row of that axis is a contiguous run of the input: copy it whole.
bool copy_inner_runs(const Tensor& x, const MergedAxes& m, Tensor& y) {
  const int rank = x.rank();
  int last_input_axis = -1;
  for (int d = 0; d < rank; ++d)
    if (x.dim(d) != 1) last_input_axis = d;
  if (m.n < 2 || m.last_axis[m.n - 1] != last_input_axis) return false;
  int64_t strides[16];
  row_major_strides(x.shape(), strides);
  const size_t elem = dtype_size(x.dtype());
  const size_t run_bytes = static_cast<size_t>(m.extent[m.n - 1]) * elem;
  // Input stride (elements) of each outer merged axis: that of the last input axis it holds.
  int64_t outer_stride[16], index[16] = {0};
  int64_t runs = 1;
  for (int g = 0; g < m.n - 1; ++g) {
    outer_stride[g] = strides[m.last_axis[g]];
    runs *= m.extent[g];
  }
  const char* in = static_cast<const char*>(x.raw());
  char* out = static_cast<char*>(y.raw());
  int64_t offset = 0;
  for (int64_t r = 0; r < runs; ++r, out += run_bytes) {
    std::memcpy(out, in + offset * static_cast<int64_t>(elem), run_bytes);
    for (int g = m.n - 2; g >= 0; --g) {  // odometer over the outer axes, in output order
      offset += outer_stride[g];
      if (++index[g] < m.extent[g]) break;
      offset -= outer_stride[g] * m.extent[g];
      index[g] = 0;
    }
  }
  return true;
}

// Work items: 32-row strips of each matrix, each cut into blocks of kColumnBlock columns, so that
// a matrix of few rows (an RGB image's NCHW -> NHWC is 3 rows of H*W) still splits among threads.
constexpr int64_t kTile = 32;
constexpr int64_t kColumnBlock = 2048;

// A matrix of kRows rows (an RGB image's NCHW -> NHWC): the row count known to the compiler,
// each output group of kRows is one interleaving step it can vectorize.
template <int kRows, class T>
void interleave_rows(const T* __restrict in, T* __restrict out, int64_t cols, int64_t c0,
                     int64_t c1) {
  for (int64_t c = c0; c < c1; ++c)
    for (int r = 0; r < kRows; ++r) out[c * kRows + r] = in[r * cols + c];
}

template <class T>
void transpose_tiles(const T* in, T* out, const BatchedSwap& s, int64_t item0, int64_t item1,
                     int64_t strips_per_matrix, int64_t blocks_per_strip) {
  for (int64_t item = item0; item < item1; ++item) {
    const int64_t block = item % blocks_per_strip, strip = item / blocks_per_strip;
    const int64_t b = strip / strips_per_matrix, r0 = (strip % strips_per_matrix) * kTile;
    const T* src = in + b * s.rows * s.cols;
    T* dst = out + b * s.rows * s.cols;
    const int64_t r1 = std::min(s.rows, r0 + kTile);
    const int64_t block_end = std::min(s.cols, (block + 1) * kColumnBlock);
    if (s.rows == 3) {
      interleave_rows<3>(src, dst, s.cols, block * kColumnBlock, block_end);
      continue;
    }
    for (int64_t c0 = block * kColumnBlock; c0 < block_end; c0 += kTile) {
      const int64_t c1 = std::min(block_end, c0 + kTile);
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
    MergedAxes merged;
    if (x.dtype() == DType::kString || x.numel() == 0 || !merge_axes(x.shape(), perm_, merged))
      return reference().run(ctx);
    if (!plan_swap(merged, s)) {
      if (!copy_inner_runs(x, merged, y)) reference().run(ctx);
      return;
    }
    if (s.rows == 1 || s.cols == 1) {
      std::memcpy(y.raw(), x.raw(), x.nbytes());
      return;
    }
    const int64_t strips = (s.rows + kTile - 1) / kTile;
    const int64_t blocks = (s.cols + kColumnBlock - 1) / kColumnBlock;
    auto run_as = [&](auto zero) {
      using T = decltype(zero);
      const T* in = static_cast<const T*>(x.raw());
      T* out = static_cast<T*>(y.raw());
      parallel_ranges(
          ctx.threads(), s.batch * strips * blocks, kTile * kColumnBlock,
          [&](int64_t i0, int64_t i1) { transpose_tiles(in, out, s, i0, i1, strips, blocks); });
    };
    switch (size) {
      case 1:
        return run_as(uint8_t{});
      case 2:
        return run_as(uint16_t{});
      case 4:
        return run_as(uint32_t{});
      case 8:
        return run_as(uint64_t{});
      default:
        return reference().run(ctx);
    }
  }

 private:
  std::vector<int64_t> perm_;
};

}  // namespace
INFERA_REGISTER_VARIANT("Transpose", 10, TransposeBlockedKernel);
}  // namespace infera

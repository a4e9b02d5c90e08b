#include "ops/cpu/winograd_weights.h"

#include <cstddef>
#include <cstdint>

namespace infera::onednn {
namespace {

constexpr int kKernel = 3;     // r: 3x3 kernels only
constexpr int kLanes = 16;     // output channels transformed together (the layouts' oc block)
constexpr int kMaxAlpha = 6;   // tile size of F(4x4, 3x3)

// G of the transforms the kernels were built for: row i is (1, x_i, x_i^2) scaled, x_i the tile's
// interpolation points. F(2x2, 3x3) interpolates at 0, 1, -1 and infinity; oneDNN's F(4x4, 3x3)
// at 0, +-5/8, +-3/2 and infinity, each row scaled to match its input and output transforms:
// these are the values its kernels assume, and any other scaling would give wrong outputs.
constexpr float kG2x2[4][kKernel] = {
    {1.f, 0.f, 0.f}, {0.5f, 0.5f, 0.5f}, {0.5f, -0.5f, 0.5f}, {0.f, 0.f, 1.f}};
constexpr float kG4x4[6][kKernel] = {
    {256.f / 225.f, 0.f, 0.f},
    {-2048.f / 2975.f, -256.f / 595.f, -32.f / 119.f},
    {-2048.f / 2975.f, 256.f / 595.f, -32.f / 119.f},
    {128.f / 1071.f, 64.f / 357.f, 32.f / 119.f},
    {128.f / 1071.f, -64.f / 357.f, 32.f / 119.f},
    {0.f, 0.f, 1.f}};

// G of our own F(4x4, 3x3) (simd/winograd_nhwc.h), interpolating at 0, 1, -1, 2, -2 and infinity.
constexpr float kG4x4Own[6][kKernel] = {{1.f / 4, 0.f, 0.f},
                                        {-1.f / 6, -1.f / 6, -1.f / 6},
                                        {-1.f / 6, 1.f / 6, -1.f / 6},
                                        {1.f / 24, 1.f / 12, 1.f / 6},
                                        {1.f / 24, -1.f / 12, 1.f / 6},
                                        {0.f, 0.f, 1.f}};

struct Layout {
  dnnl_wino_memory_format_t format;
  int alpha, ic, oc, ic_block, oc_block, ic2_block, oc2_block;
  // > 0: our own layout instead, [alpha * alpha][oc / own_block][ic][own_block].
  int own_block = 0;

  // Where the oc_block values of tile position (a, b), input channel `ic` and output-channel
  // block `ob` start.
  size_t offset(int a, int b, int ic_index, int ob) const {
    if (own_block > 0) {
      const size_t lane = static_cast<size_t>(ob) * oc_block;
      const size_t block = (static_cast<size_t>(a) * alpha + b) * (oc / own_block) +
                           lane / own_block;
      return (block * ic + ic_index) * own_block + lane % own_block;
    }
    const int nb_ic = ic / ic_block, nb_oc = oc / oc_block;
    const int ib = ic_index / ic_block, i = ic_index % ic_block;
    if (format == dnnl_wino_wei_aaOio) {
      const size_t block = ((static_cast<size_t>(a) * alpha + b) * nb_oc + ob) * nb_ic + ib;
      return (block * ic_block + i) * oc_block;
    }
    const int occ = ob / oc2_block, ob2 = ob % oc2_block;
    if (format == dnnl_wino_wei_aaOBiOo) {  // oc2_block output blocks side by side per input
      const size_t block =
          ((static_cast<size_t>(a) * alpha + b) * (nb_oc / oc2_block) + occ) * nb_ic + ib;
      return ((block * ic_block + i) * oc2_block + ob2) * oc_block;
    }
    // OBaaIBOIio: output-channel chunks outermost, then the tile, then chunks of input blocks.
    const int icc = ib / ic2_block, ib2 = ib % ic2_block;
    const size_t block = ((((static_cast<size_t>(occ) * alpha + a) * alpha + b) *
                               (nb_ic / ic2_block) + icc) * oc2_block + ob2) * ic2_block + ib2;
    return (block * ic_block + i) * oc_block;
  }
};

// U = G g G^T for output channels ob * 16 ... + 15 and input channel `ic`.
void transform_block(const Layout& l, const float (*g)[kKernel], const float* weights, int ob,
                     int ic, float* dst) {
  const size_t kernel_stride = static_cast<size_t>(l.ic) * kKernel * kKernel;
  float w[kKernel][kKernel][kLanes];
  for (int o = 0; o < kLanes; ++o) {
    const float* k = weights + (static_cast<size_t>(ob) * kLanes + o) * kernel_stride +
                     static_cast<size_t>(ic) * kKernel * kKernel;
    for (int y = 0; y < kKernel; ++y)
      for (int x = 0; x < kKernel; ++x) w[y][x][o] = k[y * kKernel + x];
  }
  // Rows first (t = g G^T, 3 x alpha), then columns (U = G t).
  float t[kKernel][kMaxAlpha][kLanes];
  for (int y = 0; y < kKernel; ++y)
    for (int b = 0; b < l.alpha; ++b)
      for (int o = 0; o < kLanes; ++o)
        t[y][b][o] = g[b][0] * w[y][0][o] + g[b][1] * w[y][1][o] + g[b][2] * w[y][2][o];
  for (int a = 0; a < l.alpha; ++a)
    for (int b = 0; b < l.alpha; ++b) {
      float* out = dst + l.offset(a, b, ic, ob);
      for (int o = 0; o < kLanes; ++o)
        out[o] = g[a][0] * t[0][b][o] + g[a][1] * t[1][b][o] + g[a][2] * t[2][b][o];
    }
}

}  // namespace

bool pack_winograd_weights(const dnnl::memory::desc& plain, const float* weights,
                           const dnnl::memory::desc& wanted, float* dst, int threads) {
  const dnnl_memory_desc_t& d = wanted.data;
  if (d.format_kind != dnnl_format_kind_wino || d.data_type != dnnl_f32) return false;
  const dnnl_wino_desc_t& wd = d.format_desc.wino_desc;
  const Layout l{wd.wino_format, wd.alpha,     wd.ic,        wd.oc,
                 wd.ic_block,    wd.oc_block,  wd.ic2_block, wd.oc2_block};
  const bool f2x2 = (l.format == dnnl_wino_wei_aaOio || l.format == dnnl_wino_wei_aaOBiOo) &&
                    l.alpha == 4;
  const bool f4x4 = l.format == dnnl_wino_wei_OBaaIBOIio && l.alpha == 6;
  if ((!f2x2 && !f4x4) || wd.r != kKernel || l.oc_block != kLanes || l.ic_block <= 0) return false;
  if (l.ic % l.ic_block != 0 || l.oc % l.oc_block != 0) return false;
  const bool chunks_of_oc = l.format != dnnl_wino_wei_aaOio;
  const bool chunks_of_ic = l.format == dnnl_wino_wei_OBaaIBOIio;
  if (chunks_of_oc && (l.oc2_block <= 0 || (l.oc / l.oc_block) % l.oc2_block != 0)) return false;
  if (chunks_of_ic && (l.ic2_block <= 0 || (l.ic / l.ic_block) % l.ic2_block != 0)) return false;
  const size_t values = static_cast<size_t>(l.alpha) * l.alpha * l.ic * l.oc;
  if (wd.size != values * sizeof(float)) return false;
  // Dense OIHW of exactly these channels: padded channels would need zeros this does not write.
  const dnnl::memory::dims dims = plain.dims();
  if (dims.size() != 4 || dims[0] != l.oc || dims[1] != l.ic || dims[2] != kKernel ||
      dims[3] != kKernel)
    return false;
  if (plain != dnnl::memory::desc(dims, dnnl::memory::data_type::f32,
                                  dnnl::memory::format_tag::oihw))
    return false;

  const float(*g)[kKernel] = f2x2 ? kG2x2 : kG4x4;
  const int blocks = l.oc / kLanes;
#pragma omp parallel for num_threads(threads < 1 ? 1 : threads) schedule(static)
  for (int ob = 0; ob < blocks; ++ob)
    for (int ic = 0; ic < l.ic; ++ic) transform_block(l, g, weights, ob, ic, dst);
  return true;
}

void pack_winograd_blocked(const float* weights, int out_channels, int in_channels, int tile,
                           int block, float* dst, int threads) {
  Layout l{};
  l.alpha = tile + 2;
  l.ic = in_channels;
  l.oc = out_channels;
  l.oc_block = kLanes;
  l.own_block = block;
  const float(*g)[kKernel] = tile == 4 ? kG4x4Own : kG2x2;
  const int blocks = out_channels / kLanes;
#pragma omp parallel for num_threads(threads < 1 ? 1 : threads) schedule(static)
  for (int ob = 0; ob < blocks; ++ob)
    for (int ic = 0; ic < in_channels; ++ic) transform_block(l, g, weights, ob, ic, dst);
}

}  // namespace infera::onednn

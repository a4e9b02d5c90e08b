#include "ops/conv_geometry.h"

#include <algorithm>

namespace infera {

namespace {

std::string list_to_string(const std::vector<int64_t>& v) {
  return shape_to_string(v);
}

// Fills the per-dim attributes of g for spatial rank r (right-aligned in the 3-slot arrays).
std::string fill_common(const SpatialAttrs& a, const Shape& x, const int64_t* kernel,
                        SpatialGeometry& g) {
  if (x.size() < 3) return "input has rank " + std::to_string(x.size()) + " but needs at least 3";
  const int r = static_cast<int>(x.size()) - 2;
  if (r > kMaxSpatialRank)
    return "input has " + std::to_string(r) + " spatial dims, at most 3 are supported";
  auto check_len = [&](const std::vector<int64_t>& v, size_t want, const char* name) {
    if (v.empty() || v.size() == want) return std::string();
    return std::string(name) + " " + list_to_string(v) + " has " + std::to_string(v.size()) +
           " values but the input has " + std::to_string(r) + " spatial dims";
  };
  // Strings are built only on failure: run() resolves geometry again and must not allocate.
  for (const std::string& e :
       {check_len(a.strides, r, "strides"), check_len(a.dilations, r, "dilations"),
        check_len(a.pads, 2 * r, "pads"), check_len(a.output_padding, r, "output_padding")}) {
    if (!e.empty()) return e;
  }
  if (a.output_shape.size() != static_cast<size_t>(r) + 2) {
    std::string e = check_len(a.output_shape, r, "output_shape");
    if (!e.empty()) return e;
  }
  g = SpatialGeometry{};
  g.rank = r;
  const int off = kMaxSpatialRank - r;
  for (int i = 0; i < r; ++i) {
    g.in[off + i] = x[2 + i];
    g.kernel[off + i] = kernel[i];
    if (kernel[i] < 1) return "kernel extent " + std::to_string(kernel[i]) + " is not positive";
    if (!a.strides.empty()) g.stride[off + i] = a.strides[i];
    if (!a.dilations.empty()) g.dilation[off + i] = a.dilations[i];
    if (!a.pads.empty()) {
      g.pad_begin[off + i] = a.pads[i];
      g.pad_end[off + i] = a.pads[r + i];
    }
  }
  return {};
}

int64_t effective_kernel(const SpatialGeometry& g, int d) {
  return (g.kernel[d] - 1) * g.dilation[d] + 1;
}

}  // namespace

SpatialAttrs parse_spatial_attrs(const KernelInit& init) {
  SpatialAttrs a;
  const std::string pad = init.attr_string("auto_pad", "NOTSET");
  if (pad == "NOTSET") {
    a.auto_pad = AutoPad::kNotSet;
  } else if (pad == "VALID") {
    a.auto_pad = AutoPad::kValid;
  } else if (pad == "SAME_UPPER") {
    a.auto_pad = AutoPad::kSameUpper;
  } else if (pad == "SAME_LOWER") {
    a.auto_pad = AutoPad::kSameLower;
  } else {
    init.fail("auto_pad '" + pad + "' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER");
  }
  a.kernel_shape = init.attr_ints("kernel_shape");
  a.strides = init.attr_ints("strides");
  a.dilations = init.attr_ints("dilations");
  a.pads = init.attr_ints("pads");
  a.ceil_mode = init.attr_int("ceil_mode", 0) != 0;
  a.output_padding = init.attr_ints("output_padding");
  a.output_shape = init.attr_ints("output_shape");
  for (int64_t v : a.strides)
    if (v < 1) init.fail("strides " + list_to_string(a.strides) + " must be positive");
  for (int64_t v : a.dilations)
    if (v < 1) init.fail("dilations " + list_to_string(a.dilations) + " must be positive");
  for (int64_t v : a.pads)
    if (v < 0) init.fail("pads " + list_to_string(a.pads) + " must not be negative");
  if (a.pads.size() % 2 != 0) init.fail("pads " + list_to_string(a.pads) + " has odd length");
  return a;
}

void SpatialGeometry::append_out_dims(Shape& shape) const {
  for (int i = kMaxSpatialRank - rank; i < kMaxSpatialRank; ++i) shape.push_back(out[i]);
}

std::string resolve_forward_geometry(const SpatialAttrs& a, const Shape& x, const int64_t* kernel,
                                     SpatialGeometry& g) {
  std::string err = fill_common(a, x, kernel, g);
  if (!err.empty()) return err;
  for (int d = kMaxSpatialRank - g.rank; d < kMaxSpatialRank; ++d) {
    const int64_t ek = effective_kernel(g, d);
    const int64_t in = g.in[d];
    const int64_t s = g.stride[d];
    switch (a.auto_pad) {
      case AutoPad::kNotSet: {
        const int64_t span = in + g.pad_begin[d] + g.pad_end[d] - ek;
        if (span < 0) break;
        g.out[d] = (a.ceil_mode ? (span + s - 1) / s : span / s) + 1;
        // A window must start inside the input or the begin padding (as PyTorch does).
        if (a.ceil_mode && (g.out[d] - 1) * s >= in + g.pad_begin[d]) --g.out[d];
        break;
      }
      case AutoPad::kValid:
        g.pad_begin[d] = g.pad_end[d] = 0;
        if (in >= ek) g.out[d] = (in - ek) / s + 1;
        break;
      case AutoPad::kSameUpper:
      case AutoPad::kSameLower: {
        g.out[d] = (in + s - 1) / s;
        const int64_t total = std::max<int64_t>(0, (g.out[d] - 1) * s + ek - in);
        const int64_t small = total / 2;
        g.pad_begin[d] = a.auto_pad == AutoPad::kSameUpper ? small : total - small;
        g.pad_end[d] = total - g.pad_begin[d];
        break;
      }
    }
    if (in + g.pad_begin[d] + g.pad_end[d] < ek || g.out[d] < 1) {
      return "spatial dim of extent " + std::to_string(in) + " (padded by " +
             std::to_string(g.pad_begin[d]) + "+" + std::to_string(g.pad_end[d]) +
             ") is smaller than the dilated kernel extent " + std::to_string(ek);
    }
  }
  return {};
}

std::string resolve_transpose_geometry(const SpatialAttrs& a, const Shape& x, const int64_t* kernel,
                                       SpatialGeometry& g) {
  std::string err = fill_common(a, x, kernel, g);
  if (!err.empty()) return err;
  const int off = kMaxSpatialRank - g.rank;
  for (int d = off; d < kMaxSpatialRank; ++d) {
    const int i = d - off;
    const int64_t ek = effective_kernel(g, d);
    const int64_t s = g.stride[d];
    const int64_t out_pad = a.output_padding.empty() ? 0 : a.output_padding[i];
    const int64_t full = s * (g.in[d] - 1) + out_pad + ek;  // extent before trimming pads
    const bool same = a.auto_pad == AutoPad::kSameUpper || a.auto_pad == AutoPad::kSameLower;
    if (!a.output_shape.empty() || same) {
      // output_shape may list only the spatial dims or the whole shape [N, M, ...].
      const size_t skip = a.output_shape.size() == static_cast<size_t>(g.rank) + 2 ? 2 : 0;
      g.out[d] = !a.output_shape.empty() ? a.output_shape[skip + i] : g.in[d] * s;
      // May be negative: the output then extends past the full extent at the end (as
      // output_padding would), reading zeros; hence truncation, not floor, below.
      const int64_t total = full - g.out[d];
      const int64_t small = total / 2;
      g.pad_begin[d] = a.auto_pad == AutoPad::kSameLower ? total - small : small;
      g.pad_end[d] = total - g.pad_begin[d];
    } else {
      if (a.auto_pad == AutoPad::kValid) g.pad_begin[d] = g.pad_end[d] = 0;
      g.out[d] = full - g.pad_begin[d] - g.pad_end[d];
    }
    if (g.out[d] < 1) {
      return "output spatial extent " + std::to_string(g.out[d]) + " is not positive (input " +
             std::to_string(g.in[d]) + ", kernel " + std::to_string(ek) + ", stride " +
             std::to_string(s) + ")";
    }
  }
  return {};
}

}  // namespace infera

// Does the spec feed the model numbers in the range it was trained on? A BatchNormalization
// right after the first Conv/Gemm keeps running_mean and running_var: the statistics of that
// layer's output over the training data. We run the first layer (its weights, in plain loops)
// on the actual inputs preprocessed as the spec says, and as the usual alternatives would, and
// compare each with those statistics. Weights alone cannot tell: a layer is linear, and any
// input scale can be matched by some weight scale, so without the recorded statistics the check
// stays silent.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "opt/rewrite.h"
#include "pipeline/diagnostics.h"

namespace infera {
namespace {

// y = W x + bias for one output position: conv (patches) or dense (the whole flattened input).
struct FirstLayer {
  std::string description;
  bool conv = false;
  int out_channels = 0, in_channels = 0;
  std::vector<float> weights;  // conv: [oc][c / group][kh][kw]; dense: [oc][k]
  std::vector<float> bias;
  int group = 1, kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, dilation_h = 1,
      dilation_w = 1, pad_top = 0, pad_left = 0;
  std::vector<double> trained_mean, trained_var;  // BatchNormalization's running statistics
};

std::vector<int64_t> ints_attr(const Node& node, const char* name, std::vector<int64_t> fallback) {
  const Attribute* a = node.find_attribute(name);
  return a ? a->ints : fallback;
}

const Tensor* float_initializer(const GraphIndex& index, const Node& node, size_t input) {
  if (input >= node.inputs.size() || node.inputs[input].empty()) return nullptr;
  const Tensor* t = index.initializer(node.inputs[input]);
  return t && t->dtype() == DType::kFloat32 ? t : nullptr;
}

bool read_conv(const Node& node, const GraphIndex& index, FirstLayer& layer) {
  const Tensor* w = float_initializer(index, node, 1);
  const Attribute* auto_pad = node.find_attribute("auto_pad");
  if (!w || w->rank() != 4 || (auto_pad && auto_pad->s != "NOTSET" && auto_pad->s != "VALID"))
    return false;
  const auto strides = ints_attr(node, "strides", {1, 1}),
             dilations = ints_attr(node, "dilations", {1, 1}),
             pads = ints_attr(node, "pads", {0, 0, 0, 0});
  if (strides.size() != 2 || dilations.size() != 2 || pads.size() != 4) return false;
  const Attribute* group = node.find_attribute("group");
  layer.conv = true;
  layer.group = group ? static_cast<int>(group->i) : 1;
  layer.out_channels = static_cast<int>(w->dim(0));
  layer.in_channels = static_cast<int>(w->dim(1)) * layer.group;
  layer.kernel_h = static_cast<int>(w->dim(2)), layer.kernel_w = static_cast<int>(w->dim(3));
  layer.stride_h = static_cast<int>(strides[0]), layer.stride_w = static_cast<int>(strides[1]);
  layer.dilation_h = static_cast<int>(dilations[0]),
  layer.dilation_w = static_cast<int>(dilations[1]);
  layer.pad_top = static_cast<int>(pads[0]), layer.pad_left = static_cast<int>(pads[1]);
  layer.weights.assign(w->data<float>(), w->data<float>() + w->numel());
  const Tensor* b = float_initializer(index, node, 2);
  layer.bias = b ? std::vector<float>(b->data<float>(), b->data<float>() + b->numel())
                 : std::vector<float>(layer.out_channels, 0.0f);
  return static_cast<int>(layer.bias.size()) == layer.out_channels;
}

bool read_gemm(const Node& node, const GraphIndex& index, int64_t inputs, FirstLayer& layer) {
  const Tensor* w = float_initializer(index, node, 1);
  const Attribute* trans_a = node.find_attribute("transA");
  if (!w || w->rank() != 2 || (trans_a && trans_a->i != 0)) return false;
  const Attribute* trans_b = node.find_attribute("transB");
  const bool transposed = trans_b && trans_b->i != 0;
  const int64_t k = w->dim(transposed ? 1 : 0), n = w->dim(transposed ? 0 : 1);
  if (k != inputs) return false;
  const Attribute* alpha = node.find_attribute("alpha");
  const Attribute* beta = node.find_attribute("beta");
  const float a = alpha ? alpha->f : 1.0f, b = beta ? beta->f : 1.0f;
  layer.out_channels = static_cast<int>(n);
  layer.weights.resize(static_cast<size_t>(n * k));
  for (int64_t o = 0; o < n; ++o)
    for (int64_t i = 0; i < k; ++i)
      layer.weights[o * k + i] = a * w->data<float>()[transposed ? o * k + i : i * n + o];
  layer.bias.assign(static_cast<size_t>(n), 0.0f);
  if (const Tensor* c = float_initializer(index, node, 2)) {
    if (c->numel() != n && c->numel() != 1) return false;
    for (int64_t o = 0; o < n; ++o) layer.bias[o] = b * c->data<float>()[c->numel() == 1 ? 0 : o];
  }
  return true;
}

bool read_batch_norm(const Node& node, const GraphIndex& index, FirstLayer& layer) {
  const Tensor* mean = float_initializer(index, node, 3);
  const Tensor* var = float_initializer(index, node, 4);
  const Attribute* training = node.find_attribute("training_mode");
  if (!mean || !var || mean->numel() != layer.out_channels || var->numel() != layer.out_channels ||
      (training && training->i != 0))
    return false;
  const Attribute* epsilon = node.find_attribute("epsilon");
  const double eps = epsilon ? epsilon->f : 1e-5;
  for (int c = 0; c < layer.out_channels; ++c) {
    layer.trained_mean.push_back(mean->data<float>()[c]);
    layer.trained_var.push_back(var->data<float>()[c] + eps);
  }
  return true;
}

// Walks from the graph input through Identity, an NHWC->NCHW Transpose and Flatten to the first
// Conv or Gemm, which must feed a BatchNormalization and nothing else. `nchw` says the layout
// the layer reads the input in.
bool find_first_layer(const Model& model, const PipelineSpec& spec, FirstLayer& layer, bool& nchw) {
  const Graph& graph = *model.graph;
  const GraphIndex index(graph);
  std::string value;
  for (const ValueInfo& input : graph.inputs)
    if (!index.initializer(input.name)) {
      value = input.name;
      break;
    }
  nchw = spec.layout == TensorLayout::kNCHW;
  bool flattened = false;
  const int64_t inputs = int64_t{spec.width} * spec.height * spec.channels;
  for (int hops = 0; hops < 8 && !value.empty(); ++hops) {
    if (!index.has_single_consumer(value)) return false;
    const Node& node = graph.nodes[index.consumers(value)[0]];
    const std::string& op = node.op_type;
    if (!node.domain.empty() && node.domain != "ai.onnx") return false;
    if (op == "Transpose" && !nchw &&
        ints_attr(node, "perm", {}) == std::vector<int64_t>{0, 3, 1, 2}) {
      nchw = true;
    } else if (op == "Flatten" && !flattened) {
      flattened = true;
    } else if (op != "Identity") {
      const bool read = op == "Conv" && !flattened && nchw ? read_conv(node, index, layer)
                        : op == "Gemm" && flattened        ? read_gemm(node, index, inputs, layer)
                                                           : false;
      if (!read || !index.has_single_consumer(node.outputs[0])) return false;
      const Node& next = graph.nodes[index.consumers(node.outputs[0])[0]];
      if (next.op_type != "BatchNormalization" || !read_batch_norm(next, index, layer))
        return false;
      layer.description = node.describe() + " -> " + next.describe();
      return !layer.conv || layer.in_channels == spec.channels;
    }
    value = node.outputs.empty() ? "" : node.outputs[0];
  }
  return false;
}

// An input normalisation: x = scale[c] * u + shift[c] for pixels u in [0, 1].
struct Affine {
  std::string name;
  std::vector<double> scale, shift;
};

Affine affine_of(const std::string& name, double scale, double shift,
                 const std::vector<float>& mean, const std::vector<float>& std, int channels) {
  Affine a{name, {}, {}};
  for (int c = 0; c < channels; ++c) {
    const double m = mean.empty() ? 0.0 : mean[mean.size() == 1 ? 0 : c];
    const double s = std.empty() ? 1.0 : std[std.size() == 1 ? 0 : c];
    a.scale.push_back(scale / s);
    a.shift.push_back((shift - m) / s);
  }
  return a;
}

std::vector<Affine> candidates(const PipelineSpec& spec) {
  const PreprocessSpec& pre = spec.preprocess;
  const int c = spec.channels;
  const double scale = pre.scale == PixelScale::kUnit        ? 1
                       : pre.scale == PixelScale::kSymmetric ? 2
                                                             : 255;
  const double shift = pre.scale == PixelScale::kSymmetric ? -1 : 0;
  std::vector<Affine> out = {affine_of("the spec's", scale, shift, pre.mean, pre.std, c),
                             affine_of("scale unit, no mean/std", 1, 0, {}, {}, c),
                             affine_of("scale symmetric", 2, -1, {}, {}, c),
                             affine_of("scale none (0..255)", 255, 0, {}, {}, c)};
  // The mean/std everyone copies, in the spec's channel order.
  const bool bgr = pre.color == ColorOrder::kBgr;
  auto ordered = [&](std::vector<float> rgb) {
    if (bgr) std::reverse(rgb.begin(), rgb.end());
    return rgb;
  };
  if (c == 3) {
    out.push_back(affine_of("scale unit with the ImageNet mean/std (torchvision)", 1, 0,
                            ordered({0.485f, 0.456f, 0.406f}), ordered({0.229f, 0.224f, 0.225f}),
                            c));
    out.push_back(affine_of("scale none minus the ImageNet means (keras-caffe)", 255, 0,
                            ordered({123.68f, 116.779f, 103.939f}), {}, c));
  } else {
    out.push_back(affine_of("scale unit with the MNIST mean/std 0.1307/0.3081", 1, 0, {0.1307f},
                            {0.3081f}, c));
  }
  return out;
}

std::string range_text(const Affine& a) {
  std::string out;
  char buffer[64];
  bool same = true;
  for (size_t c = 1; c < a.scale.size(); ++c)
    same = same && std::abs(a.scale[c] - a.scale[0]) < 1e-6 &&
           std::abs(a.shift[c] - a.shift[0]) < 1e-6;
  for (size_t c = 0; c < (same ? 1 : a.scale.size()); ++c) {
    std::snprintf(buffer, sizeof buffer, "%s[%.3g, %.3g]", c ? ", " : "", a.shift[c],
                  a.shift[c] + a.scale[c]);
    out += buffer;
  }
  return out;
}

// Per output channel, the running sums of y and y^2 for one candidate normalisation.
struct Moments {
  std::vector<double> sum, squares;
  double count = 0;
};

// Accumulates one output position: `patch_sum[o][c]` = sum of w * u over channel c's part of
// the receptive field, `weight_sum[o][c]` the sum of w where the field lies inside the image.
void accumulate(const FirstLayer& layer, const std::vector<double>& patch_sum,
                const std::vector<double>& weight_sum, const std::vector<Affine>& affines,
                std::vector<Moments>& moments, int channels) {
  for (size_t a = 0; a < affines.size(); ++a) {
    Moments& m = moments[a];
    for (int o = 0; o < layer.out_channels; ++o) {
      double y = layer.bias[o];
      for (int c = 0; c < channels; ++c)
        y += affines[a].scale[c] * patch_sum[o * channels + c] +
             affines[a].shift[c] * weight_sum[o * channels + c];
      m.sum[o] += y, m.squares[o] += y * y;
    }
    m.count += 1;
  }
}

void conv_sums(const FirstLayer& layer, const float* u, int height, int width, int oy, int ox,
               std::vector<double>& patch_sum, std::vector<double>& weight_sum) {
  const int per_group_in = layer.in_channels / layer.group,
            per_group_out = layer.out_channels / layer.group;
  std::fill(patch_sum.begin(), patch_sum.end(), 0.0);
  std::fill(weight_sum.begin(), weight_sum.end(), 0.0);
  for (int o = 0; o < layer.out_channels; ++o)
    for (int ci = 0; ci < per_group_in; ++ci) {
      const int c = (o / per_group_out) * per_group_in + ci;
      const float* w = layer.weights.data() +
                       ((size_t(o) * per_group_in + ci) * layer.kernel_h) * layer.kernel_w;
      for (int ky = 0; ky < layer.kernel_h; ++ky) {
        const int iy = oy * layer.stride_h - layer.pad_top + ky * layer.dilation_h;
        if (iy < 0 || iy >= height) continue;
        for (int kx = 0; kx < layer.kernel_w; ++kx) {
          const int ix = ox * layer.stride_w - layer.pad_left + kx * layer.dilation_w;
          if (ix < 0 || ix >= width) continue;
          const double wv = w[ky * layer.kernel_w + kx];
          patch_sum[o * layer.in_channels + c] += wv * u[(size_t(c) * height + iy) * width + ix];
          weight_sum[o * layer.in_channels + c] += wv;
        }
      }
    }
}

// Median over channels of (mean difference / trained std)^2 + log(variance ratio)^2.
double mismatch(const FirstLayer& layer, const Moments& m) {
  std::vector<double> per_channel;
  for (int o = 0; o < layer.out_channels; ++o) {
    const double mean = m.sum[o] / m.count;
    const double var = std::max(0.0, m.squares[o] / m.count - mean * mean) + 1e-12;
    const double shift = (mean - layer.trained_mean[o]) / std::sqrt(layer.trained_var[o]);
    const double ratio = std::log(var / layer.trained_var[o]);
    per_channel.push_back(shift * shift + ratio * ratio);
  }
  std::nth_element(per_channel.begin(), per_channel.begin() + per_channel.size() / 2,
                   per_channel.end());
  return per_channel[per_channel.size() / 2];
}

}  // namespace

InputRangeReport measure_input_range(const Model& model, const PipelineSpec& spec,
                                     const std::vector<Image>& images) {
  FirstLayer layer;
  bool nchw = true;
  if (!model.graph || images.empty() || !find_first_layer(model, spec, layer, nchw)) return {};
  TensorOptions unit;
  unit.bgr = spec.preprocess.color == ColorOrder::kBgr;
  unit.channels_last = !nchw;
  const Tensor u = images_to_tensor(images, unit);
  const std::vector<Affine> affines = candidates(spec);
  const int channels = spec.channels, height = spec.height, width = spec.width;
  std::vector<Moments> moments(affines.size());
  for (Moments& m : moments)
    m.sum.assign(layer.out_channels, 0), m.squares.assign(layer.out_channels, 0);
  std::vector<double> patch_sum(size_t(layer.out_channels) * channels),
      weight_sum(patch_sum.size());
  const size_t per_image = size_t(channels) * height * width;
  for (size_t n = 0; n < images.size(); ++n) {
    const float* pixels = u.data<float>() + n * per_image;
    if (!layer.conv) {
      std::fill(patch_sum.begin(), patch_sum.end(), 0.0);
      std::fill(weight_sum.begin(), weight_sum.end(), 0.0);
      for (int o = 0; o < layer.out_channels; ++o)
        for (size_t k = 0; k < per_image; ++k) {
          const int c = nchw ? static_cast<int>(k / (size_t(height) * width))
                             : static_cast<int>(k % channels);
          patch_sum[o * channels + c] += double(layer.weights[o * per_image + k]) * pixels[k];
          weight_sum[o * channels + c] += layer.weights[o * per_image + k];
        }
      accumulate(layer, patch_sum, weight_sum, affines, moments, channels);
      continue;
    }
    const int out_h = (height + 2 * layer.pad_top - layer.dilation_h * (layer.kernel_h - 1) - 1) /
                          layer.stride_h +
                      1;
    const int out_w = (width + 2 * layer.pad_left - layer.dilation_w * (layer.kernel_w - 1) - 1) /
                          layer.stride_w +
                      1;
    // A spread-out sample of at most 256 positions per image keeps big inputs cheap.
    const int positions = out_h * out_w, step = std::max(1, positions / 256);
    for (int p = 0; p < positions; p += step) {
      conv_sums(layer, pixels, height, width, p / out_w, p % out_w, patch_sum, weight_sum);
      accumulate(layer, patch_sum, weight_sum, affines, moments, channels);
    }
  }
  InputRangeReport report;
  report.layer = layer.description;
  for (size_t a = 0; a < affines.size(); ++a)
    report.candidates.push_back(
        {affines[a].name, range_text(affines[a]), mismatch(layer, moments[a])});
  return report;
}

std::vector<Diagnostic> input_range_warnings(const InputRangeReport& report,
                                             const PipelineSpec& spec) {
  if (report.candidates.empty()) return {};
  const InputRangeCandidate& own = report.candidates[0];
  const InputRangeCandidate* best = nullptr;
  for (size_t i = 1; i < report.candidates.size(); ++i)
    if (report.candidates[i].range != own.range &&
        (!best || report.candidates[i].mismatch < best->mismatch))
      best = &report.candidates[i];
  // Calibrated on the Fashion-MNIST model (docs/PIPELINE.md): the right spec scores 0.015,
  // wrong ranges 3.7 to 9264, inverted images with the right spec 0.76. Both conditions keep a
  // domain shift, which makes every candidate fit worse, from raising an alarm.
  constexpr double kBadFit = 1.0, kClearlyBetter = 4.0;
  if (!best || own.mismatch < kBadFit || best->mismatch * kClearlyBetter > own.mismatch) return {};
  char scores[96];
  std::snprintf(scores, sizeof scores, "mismatch %.2f against %.2f", own.mismatch, best->mismatch);
  return {{"input-range", "pipeline spec " + spec.source + " gives the model inputs in " +
                              own.range + ", but the first layer's training statistics (" +
                              report.layer + ") fit inputs in " + best->range + " (" + best->name +
                              ") far better (" + scores +
                              "); check preprocess.scale, mean and std"}};
}

}  // namespace infera

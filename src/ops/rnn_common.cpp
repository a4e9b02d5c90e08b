#include "ops/rnn_common.h"

#include <cctype>

namespace infera {
namespace {

struct ActivationSpec {
  const char* name;
  RnnActivationKind kind;
  bool takes_alpha;
  bool takes_beta;
  float default_alpha;
  float default_beta;
};

// Defaults follow the stand-alone ONNX ops of the same names.
constexpr ActivationSpec kActivationSpecs[] = {
    {"relu", RnnActivationKind::kRelu, false, false, 0, 0},
    {"tanh", RnnActivationKind::kTanh, false, false, 0, 0},
    {"sigmoid", RnnActivationKind::kSigmoid, false, false, 0, 0},
    {"affine", RnnActivationKind::kAffine, true, true, 1.0f, 0.0f},
    {"leakyrelu", RnnActivationKind::kLeakyRelu, true, false, 0.01f, 0},
    {"thresholdedrelu", RnnActivationKind::kThresholdedRelu, true, false, 1.0f, 0},
    {"scaledtanh", RnnActivationKind::kScaledTanh, true, true, 1.0f, 1.0f},
    {"hardsigmoid", RnnActivationKind::kHardSigmoid, true, true, 0.2f, 0.5f},
    {"elu", RnnActivationKind::kElu, true, false, 1.0f, 0},
    {"softsign", RnnActivationKind::kSoftsign, false, false, 0, 0},
    {"softplus", RnnActivationKind::kSoftplus, false, false, 0, 0},
};

std::string lowercase(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// activation_alpha / activation_beta are consumed in order by the functions that take them.
std::vector<RnnActivation> parse_activations(const KernelInit& init,
                                             const std::vector<std::string>& names) {
  const std::vector<float> alphas = init.attr_floats("activation_alpha");
  const std::vector<float> betas = init.attr_floats("activation_beta");
  size_t next_alpha = 0, next_beta = 0;
  std::vector<RnnActivation> out;
  for (const std::string& name : names) {
    const std::string key = lowercase(name);
    const ActivationSpec* spec = nullptr;
    for (const ActivationSpec& s : kActivationSpecs) {
      if (key == s.name) spec = &s;
    }
    if (!spec) init.unsupported("activation '" + name + "' is not supported");
    RnnActivation act{spec->kind, spec->default_alpha, spec->default_beta};
    if (spec->takes_alpha && next_alpha < alphas.size()) act.alpha = alphas[next_alpha++];
    if (spec->takes_beta && next_beta < betas.size()) act.beta = betas[next_beta++];
    out.push_back(act);
  }
  return out;
}

void check_shape(InferContext& ctx, int input, const char* name, const Shape& expected) {
  const Shape& actual = ctx.input(input).shape();
  if (actual != expected) {
    ctx.fail(std::string(name) + " should have shape " + shape_to_string(expected) + ", got " +
             shape_to_string(actual));
  }
}

}  // namespace

RnnAttrs parse_rnn_attrs(const KernelInit& init,
                         const std::vector<std::string>& default_activations) {
  RnnAttrs attrs;
  attrs.hidden_size = init.attr_int("hidden_size", 0);
  if (attrs.hidden_size < 0) init.fail("hidden_size must be positive");
  const std::string direction = init.attr_string("direction", "forward");
  if (direction == "bidirectional") {
    attrs.num_directions = 2;
  } else if (direction == "reverse") {
    attrs.reverse = true;
  } else if (direction != "forward") {
    init.fail("direction must be forward, reverse or bidirectional, got '" + direction + "'");
  }
  attrs.per_direction = static_cast<int>(default_activations.size());
  std::vector<std::string> names =
      init.has_attr("activations") ? init.attr_strings("activations") : std::vector<std::string>{};
  if (names.empty()) {
    for (int64_t d = 0; d < attrs.num_directions; ++d) {
      names.insert(names.end(), default_activations.begin(), default_activations.end());
    }
  } else if (attrs.num_directions == 2 && names.size() == default_activations.size()) {
    // One direction's list given for both: both directions use it.
    const std::vector<std::string> one = names;
    names.insert(names.end(), one.begin(), one.end());
  }
  const size_t needed = static_cast<size_t>(attrs.per_direction * attrs.num_directions);
  if (names.size() != needed) {
    init.fail("activations should list " + std::to_string(needed) + " functions, got " +
              std::to_string(names.size()));
  }
  attrs.activations = parse_activations(init, names);
  attrs.has_clip = init.has_attr("clip");
  attrs.clip = init.attr_float("clip", 0.0f);
  if (attrs.has_clip && attrs.clip <= 0) init.fail("clip must be positive");
  attrs.layout = init.attr_int("layout", 0);
  if (attrs.layout != 0 && attrs.layout != 1) init.fail("layout must be 0 or 1");
  return attrs;
}

RnnDims rnn_dims(const Tensor& x, const RnnAttrs& attrs, const Tensor& r) {
  RnnDims dims;
  dims.layout = attrs.layout;
  dims.seq = attrs.layout == 0 ? x.dim(0) : x.dim(1);
  dims.batch = attrs.layout == 0 ? x.dim(1) : x.dim(0);
  dims.input = x.dim(2);
  dims.hidden = attrs.hidden_size > 0 ? attrs.hidden_size : r.dim(2);
  dims.dirs = attrs.num_directions;
  return dims;
}

void infer_rnn(InferContext& ctx, const RnnAttrs& attrs, int num_gates, int num_states) {
  const Tensor& x = ctx.input(kRnnX);
  if (x.rank() != 3) ctx.fail("X should have rank 3, got " + shape_to_string(x.shape()));
  if (ctx.input(kRnnR).rank() != 3) {
    ctx.fail("R should have rank 3, got " + shape_to_string(ctx.input(kRnnR).shape()));
  }
  for (int i = kRnnW; i < ctx.num_inputs(); ++i) {
    if (has_input_slot(ctx, i) && i != kRnnSeqLens && ctx.input(i).dtype() != x.dtype()) {
      ctx.fail("input " + std::to_string(i) + " should be " + dtype_name(x.dtype()) + ", got " +
               dtype_name(ctx.input(i).dtype()));
    }
  }
  const RnnDims d = rnn_dims(x, attrs, ctx.input(kRnnR));
  const int64_t gates = num_gates * d.hidden;
  check_shape(ctx, kRnnW, "W", {d.dirs, gates, d.input});
  check_shape(ctx, kRnnR, "R", {d.dirs, gates, d.hidden});
  if (has_input_slot(ctx, kRnnB)) check_shape(ctx, kRnnB, "B", {d.dirs, 2 * gates});
  if (has_input_slot(ctx, kRnnSeqLens)) check_shape(ctx, kRnnSeqLens, "sequence_lens", {d.batch});
  const Shape state =
      d.layout == 0 ? Shape{d.dirs, d.batch, d.hidden} : Shape{d.batch, d.dirs, d.hidden};
  if (has_input_slot(ctx, kRnnInitialH)) check_shape(ctx, kRnnInitialH, "initial_h", state);
  if (num_states == 2 && has_input_slot(ctx, kRnnInitialC)) {
    check_shape(ctx, kRnnInitialC, "initial_c", state);
  }
  if (has_output_slot(ctx, kRnnY)) {
    ctx.set_output(kRnnY, x.dtype(),
                   d.layout == 0 ? Shape{d.seq, d.dirs, d.batch, d.hidden}
                                 : Shape{d.batch, d.seq, d.dirs, d.hidden});
  }
  if (has_output_slot(ctx, kRnnYh)) ctx.set_output(kRnnYh, x.dtype(), state);
  if (num_states == 2 && has_output_slot(ctx, kRnnYc)) ctx.set_output(kRnnYc, x.dtype(), state);
}

}  // namespace infera

// Pipeline spec parsing, presets and validation against a model's declared input and output.
#include "pipeline/spec.h"

#include <gtest/gtest.h>

#include <string>

namespace infera {
namespace {

PipelineSpec parse(const std::string& text) { return parse_pipeline_spec(text, "", "test.json"); }

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TensorInfo tensor(const std::string& name, std::vector<int64_t> shape) {
  TensorInfo info;
  info.name = name;
  info.dtype = DType::kFloat32;
  info.has_shape = true;
  info.dim_names.assign(shape.size(), "");  // describe() reads one name per dimension
  info.shape = std::move(shape);
  return info;
}

std::string validation_error(PipelineSpec spec, const TensorInfo& input, const TensorInfo& output) {
  try {
    validate_spec_against_model(spec, input, output);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(PipelineSpec, ReadsEveryField) {
  PipelineSpec spec = parse(R"({"version": 1,
    "input": {"kind": "image", "width": 32, "height": 24, "channels": 3, "layout": "NHWC",
              "dtype": "float32"},
    "preprocess": {"color": "bgr", "resize": {"size": [40, 30], "filter": "bicubic"},
                   "center_crop": [32, 24], "pad": [1, 2, 3, 4], "scale": "symmetric",
                   "mean": [1, 2, 3], "std": 2},
    "task": "multilabel", "activation": "sigmoid", "top_k": 2, "threshold": 0.25,
    "thresholds": [0.1, 0.2], "min_confidence": 0.3, "labels": ["a", "b"],
    "regression": {"mean": 5, "std": [2, 3]}})");
  EXPECT_EQ(spec.width, 32);
  EXPECT_EQ(spec.height, 24);
  EXPECT_EQ(spec.layout, TensorLayout::kNHWC);
  EXPECT_EQ(spec.preprocess.color, ColorOrder::kBgr);
  EXPECT_TRUE(spec.preprocess.resize.enabled);
  EXPECT_EQ(spec.preprocess.resize.width, 40);
  EXPECT_EQ(spec.preprocess.resize.filter, ResizeFilter::kBicubic);
  EXPECT_EQ(spec.preprocess.crop_height, 24);
  EXPECT_EQ(spec.preprocess.pad[3], 4);
  EXPECT_EQ(spec.preprocess.scale, PixelScale::kSymmetric);
  EXPECT_EQ(spec.preprocess.mean, (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(spec.preprocess.std, (std::vector<float>{2}));
  EXPECT_EQ(spec.task, Task::kMultilabel);
  EXPECT_EQ(spec.activation, Activation::kSigmoid);
  EXPECT_EQ(spec.top_k, 2);
  EXPECT_FLOAT_EQ(spec.threshold, 0.25f);
  EXPECT_FLOAT_EQ(spec.min_confidence, 0.3f);
  EXPECT_EQ(spec.labels, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(spec.regression_std, (std::vector<float>{2, 3}));
}

TEST(PipelineSpec, UnknownKeysAndWrongTypesNameTheKey) {
  EXPECT_NE(error_of(R"({"version": 1, "preprocess": {"mena": [1]}})").find("'preprocess.mena'"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"version": 1, "top_k": "3"})").find("'top_k' must be an integer"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"version": 1, "input": {"layout": "CHW"}})").find("'input.layout'"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"version": 1, "preprocess": {"resize": {"size": 256, "filter": "lanczos"}}})")
                .find("'preprocess.resize.filter' must be one of nearest, bilinear, bicubic"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"input": {}})").find("'version' is missing"), std::string::npos);
  EXPECT_NE(error_of(R"({"version": 2})").find("reads 1"), std::string::npos);
  EXPECT_NE(error_of("{not json").find("test.json: not valid JSON"), std::string::npos);
  EXPECT_NE(error_of(R"({"version": 1, "labels": ["a", 2]})").find("'labels[1]'"), std::string::npos);
}

TEST(PipelineSpec, PresetsAndOverrides) {
  PipelineSpec imagenet = load_pipeline_spec("torchvision-imagenet");
  EXPECT_EQ(imagenet.preprocess.resize.shorter_side, 256);
  EXPECT_EQ(imagenet.preprocess.crop_width, 224);
  EXPECT_EQ(imagenet.preprocess.mean.size(), 3u);
  PipelineSpec caffe = load_pipeline_spec("keras-caffe");
  EXPECT_EQ(caffe.preprocess.color, ColorOrder::kBgr);
  EXPECT_EQ(caffe.preprocess.scale, PixelScale::kRaw);
  EXPECT_FLOAT_EQ(caffe.preprocess.mean[0], 103.939f);
  EXPECT_EQ(load_pipeline_spec("keras-tf").preprocess.scale, PixelScale::kSymmetric);
  PipelineSpec mnist = parse(R"({"version": 1, "preset": "mnist", "top_k": 5})");
  EXPECT_EQ(mnist.channels, 1);
  EXPECT_EQ(mnist.width, 28);
  EXPECT_EQ(mnist.top_k, 5);
  EXPECT_THROW(load_pipeline_spec("no-such-preset-or-file"), Error);
}

TEST(PipelineSpec, LabelsFileIsRelativeToTheSpec) {
  PipelineSpec spec = parse_pipeline_spec(R"({"version": 1, "labels_file": "labels.txt"})",
                                          INFERA_SOURCE_DIR "/models/fashion_mnist", "t");
  ASSERT_EQ(spec.labels.size(), 10u);
  EXPECT_EQ(spec.labels[9], "Ankle boot");
}

TEST(PipelineSpec, ValidationFillsSizeFromTheModel) {
  PipelineSpec spec = load_pipeline_spec("keras-tf");
  validate_spec_against_model(spec, tensor("x", {-1, 299, 299, 3}), tensor("y", {-1, 1000}));
  EXPECT_EQ(spec.width, 299);
  EXPECT_EQ(spec.height, 299);
}

TEST(PipelineSpec, ValidationRefusesMisfitsNamingBothSides) {
  const TensorInfo grey_input = tensor("image", {-1, 1, 28, 28});
  const TensorInfo ten_classes = tensor("logits", {-1, 10});
  std::string error = validation_error(load_pipeline_spec("torchvision-imagenet"), grey_input, ten_classes);
  EXPECT_NE(error.find("3 channel(s)"), std::string::npos) << error;
  EXPECT_NE(error.find("'image' is float32 [?, 1, 28, 28]"), std::string::npos) << error;

  PipelineSpec small = load_pipeline_spec("mnist");
  small.width = small.height = 32;
  error = validation_error(small, grey_input, ten_classes);
  EXPECT_NE(error.find("input.width is 32"), std::string::npos) << error;
  EXPECT_NE(error.find("width 28"), std::string::npos) << error;

  PipelineSpec labelled = load_pipeline_spec("mnist");
  labelled.labels = {"a", "b", "c"};
  error = validation_error(labelled, grey_input, ten_classes);
  EXPECT_NE(error.find("3 labels"), std::string::npos) << error;
  EXPECT_NE(error.find("10 classes"), std::string::npos) << error;

  PipelineSpec grey_rgb = load_pipeline_spec("mnist");
  grey_rgb.channels = 3;
  EXPECT_NE(validation_error(grey_rgb, grey_input, ten_classes).find("preprocess.color"), std::string::npos);
  EXPECT_EQ(validation_error(load_pipeline_spec("mnist"), grey_input, ten_classes), "");
}

}  // namespace
}  // namespace infera

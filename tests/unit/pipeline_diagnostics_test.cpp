// Pipeline diagnostics on real models: the bundled Fashion-MNIST CNN with right and wrong
// specs, on real Fashion-MNIST test images, and the small models of
// tests/fixtures/make_diagnostic_models.py (training-mode nodes; a dense layer whose
// BatchNormalization statistics numpy computed from [-1, 1] inputs).
#include <gtest/gtest.h>

#include <cstring>

#include "data/idx.h"
#include "infera/pipeline.h"
#include "onnx/onnx_reader.h"
#include "pipeline/diagnostics.h"

namespace infera {
namespace {

const std::string kModel = INFERA_SOURCE_DIR "/models/fashion_mnist/fashion_mnist_cnn.onnx";
const std::string kFixtures = INFERA_SOURCE_DIR "/tests/fixtures/diagnostics/";
const std::string kTestImages = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";

// The first `count` Fashion-MNIST test images as decoded 28x28 grey images.
std::vector<Image> fashion_images(size_t count) {
  IdxReader reader(kTestImages);
  Tensor batch;
  EXPECT_TRUE(reader.next_batch(count, batch));
  std::vector<Image> images;
  for (size_t i = 0; i < count; ++i) {
    Image image = allocate_image(28, 28, 1, 8, {}, "fashion");
    std::memcpy(image.samples8.data(), batch.data<uint8_t>() + i * 784, 784);
    images.push_back(std::move(image));
  }
  return images;
}

PipelineSpec spec_with(const std::string& preprocess_json) {
  return parse_pipeline_spec(
      R"({"version": 1, "preset": "mnist", "preprocess": )" + preprocess_json + "}", "",
      "test-spec");
}

std::string joined(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics) out += d.check + ": " + d.message + "\n";
  return out;
}

TEST(PipelineDiagnostics, TrainingModeNodesAreNamed) {
  const auto dropout =
      training_mode_warnings(*read_onnx_model(kFixtures + "training_dropout.onnx"));
  ASSERT_EQ(dropout.size(), 1u) << joined(dropout);
  EXPECT_EQ(dropout[0].check, "training-mode");
  EXPECT_NE(dropout[0].message.find("Dropout 'drop1'"), std::string::npos) << dropout[0].message;
  const auto bn = training_mode_warnings(*read_onnx_model(kFixtures + "training_batchnorm.onnx"));
  ASSERT_EQ(bn.size(), 1u) << joined(bn);
  EXPECT_NE(bn[0].message.find("BatchNormalization 'bn1'"), std::string::npos) << bn[0].message;
  EXPECT_NE(bn[0].message.find("other inputs in its batch"), std::string::npos) << bn[0].message;
  EXPECT_TRUE(
      training_mode_warnings(*read_onnx_model(kFixtures + "inference_dropout.onnx")).empty());
  EXPECT_TRUE(training_mode_warnings(*read_onnx_model(kModel)).empty());
}

// What the engine does with them is ONNX's training semantics: batch statistics, so one
// image's scores change with its batch companions.
TEST(PipelineDiagnostics, TrainingBatchNormReallyDependsOnTheBatch) {
  Pipeline pipeline = Pipeline::load(kFixtures + "training_batchnorm.onnx", "mnist");
  EXPECT_EQ(pipeline.model_diagnostics().size(), 1u);
  const std::vector<Image> images = fashion_images(3);
  const auto alone = pipeline.predict_images({images[0]}, 1);
  const auto together = pipeline.predict_images(images, 3);
  EXPECT_NE(alone[0].top_k[0].probability, together[0].top_k[0].probability);
}

TEST(PipelineDiagnostics, RightSpecOnFashionMnistIsQuiet) {
  const auto model = read_onnx_model(kModel);
  const PipelineSpec spec =
      load_pipeline_spec(INFERA_SOURCE_DIR "/models/fashion_mnist/fashion_mnist_cnn.pipeline.json");
  const InputRangeReport report =
      measure_input_range(*model, Pipeline::load(kModel).spec(), fashion_images(16));
  ASSERT_FALSE(report.candidates.empty());
  EXPECT_EQ(report.layer,
            "Conv '/features/features.0/Conv' -> BatchNormalization "
            "'/features/features.1/BatchNormalization'");
  EXPECT_EQ(report.candidates[0].range, "[0, 1]");
  EXPECT_LT(report.candidates[0].mismatch, 0.5);
  EXPECT_TRUE(input_range_warnings(report, spec).empty());
}

TEST(PipelineDiagnostics, WrongRangesOnFashionMnistAreNamed) {
  const auto model = read_onnx_model(kModel);
  const std::vector<Image> images = fashion_images(16);
  for (const char* wrong : {R"({"scale": "none"})", R"({"scale": "symmetric"})"}) {
    SCOPED_TRACE(wrong);
    PipelineSpec spec = spec_with(wrong);
    spec.width = spec.height = 28;
    const auto warnings = input_range_warnings(measure_input_range(*model, spec, images), spec);
    ASSERT_EQ(warnings.size(), 1u);
    const std::string& message = warnings[0].message;
    EXPECT_NE(message.find(
                  "test-spec gives the model inputs in " +
                  std::string(spec.preprocess.scale == PixelScale::kRaw ? "[0, 255]" : "[-1, 1]")),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("fit inputs in [0, 1] (scale unit"), std::string::npos) << message;
  }
}

TEST(PipelineDiagnostics, DenseLayerStatisticsFromSymmetricInputs) {
  const auto model = read_onnx_model(kFixtures + "dense_bn_symmetric.onnx");
  const std::vector<Image> images = fashion_images(16);
  PipelineSpec unit = spec_with(R"({"scale": "unit"})");
  PipelineSpec symmetric = spec_with(R"({"scale": "symmetric"})");
  unit.width = unit.height = symmetric.width = symmetric.height = 28;
  const auto warned = input_range_warnings(measure_input_range(*model, unit, images), unit);
  ASSERT_EQ(warned.size(), 1u);
  EXPECT_NE(warned[0].message.find("fit inputs in [-1, 1] (scale symmetric)"), std::string::npos)
      << warned[0].message;
  EXPECT_NE(warned[0].message.find("Gemm 'dense' -> BatchNormalization 'bn1'"), std::string::npos);
  EXPECT_TRUE(
      input_range_warnings(measure_input_range(*model, symmetric, images), symmetric).empty());
}

// No BatchNormalization after the first layer: nothing recorded to compare with, no verdict.
TEST(PipelineDiagnostics, NoStatisticsNoVerdict) {
  PipelineSpec spec = spec_with(R"({"scale": "none"})");
  spec.width = spec.height = 28;
  const auto model = read_onnx_model(kFixtures + "inference_dropout.onnx");
  EXPECT_TRUE(measure_input_range(*model, spec, fashion_images(4)).candidates.empty());
}

Prediction answer(int index, const std::string& label) {
  Prediction p;
  p.index = index;
  p.label = label;
  return p;
}

TEST(PipelineDiagnostics, SameClassNeedsEnoughVariedInputs) {
  const std::vector<Image> varied = fashion_images(8);
  const std::vector<Image> identical(8, varied[0]);
  std::vector<Prediction> same(8, answer(8, "Bag"));
  const auto warned = same_class_warnings(same, varied);
  ASSERT_EQ(warned.size(), 1u);
  EXPECT_NE(warned[0].message.find("always predicts the same class: all 8 inputs got 'Bag'"),
            std::string::npos)
      << warned[0].message;
  EXPECT_TRUE(same_class_warnings(same, identical).empty());
  EXPECT_TRUE(same_class_warnings(std::vector<Prediction>(7, answer(8, "Bag")), varied).empty());
  same[3] = answer(2, "Pullover");
  EXPECT_TRUE(same_class_warnings(same, varied).empty());
}

// The real thing: 0..255 inputs into the Fashion-MNIST model, through Pipeline's own API.
TEST(PipelineDiagnostics, WrongScaleOnTheBundledModelWarnsThroughPipeline) {
  const std::vector<Image> images = fashion_images(16);
  Pipeline right = Pipeline::load(kModel);
  EXPECT_TRUE(right.model_diagnostics().empty());
  const auto right_answers = right.predict_images(images, 16);
  EXPECT_EQ(joined(right.input_diagnostics(images, right_answers)), "");

  const std::string spec_path = ::testing::TempDir() + "raw_scale.pipeline.json";
  FILE* f = std::fopen(spec_path.c_str(), "w");
  std::fputs(R"({"version": 1, "preset": "mnist", "preprocess": {"scale": "none"}})", f);
  std::fclose(f);
  Pipeline wrong = Pipeline::load(kModel, spec_path);
  const auto wrong_answers = wrong.predict_images(images, 16);
  const std::string warnings = joined(wrong.input_diagnostics(images, wrong_answers));
  EXPECT_NE(warnings.find("input-range: pipeline spec " + spec_path +
                          " gives the model inputs in [0, 255]"),
            std::string::npos)
      << warnings;
}

}  // namespace
}  // namespace infera

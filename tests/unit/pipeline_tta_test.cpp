// Test-time augmentation: the spec's "tta" parsed strictly, views cut where torchvision cuts
// them, and merged answers equal to merging separate runs of the model by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "infera/pipeline.h"

namespace infera {
namespace {

const std::string kModel = INFERA_SOURCE_DIR "/models/fashion_mnist/fashion_mnist_cnn.onnx";
const std::string kSpecStart =
    R"({"version": 1, "preset": "mnist", "labels": ["0","1","2","3","4","5","6","7","8","9"], )";

std::string parse_error(const std::string& tta) {
  try {
    parse_pipeline_spec(kSpecStart + R"("tta": )" + tta + "}", "", "test.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string load_error(const std::string& tta) {
  try {
    Session session = Session::load(kModel);
    Pipeline(std::move(session),
             parse_pipeline_spec(kSpecStart + R"("tta": )" + tta + "}", "", "t"));
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TtaSpec tta_of(TtaMode mode, TtaMerge merge = TtaMerge::kMeanProbabilities) {
  TtaSpec tta;
  tta.mode = mode;
  tta.merge = merge;
  return tta;
}

// Pixel (x, y) of channel 0 holds a value that tells where it came from.
Image coordinate_image(int width, int height) {
  Image image = allocate_image(width, height, 1, 8, {}, "test");
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      image.samples8[static_cast<size_t>(y * width + x)] = static_cast<uint8_t>(x + 7 * y);
  return image;
}

uint8_t at(const Image& image, int x, int y) {
  return image.samples8[static_cast<size_t>(y * image.width + x)];
}

TEST(PipelineTtaSpec, ParsesEveryKey) {
  PipelineSpec spec = parse_pipeline_spec(
      kSpecStart + R"("tta": {"mode": "multi_scale", "merge": "mean_logits", "scales": [28, 32]}})",
      "", "t");
  EXPECT_EQ(spec.tta.mode, TtaMode::kMultiScale);
  EXPECT_EQ(spec.tta.merge, TtaMerge::kMeanLogits);
  EXPECT_EQ(spec.tta.scales, (std::vector<int>{28, 32}));
  EXPECT_EQ(tta_view_count(spec.tta), 2);
  spec = parse_pipeline_spec(kSpecStart + R"("tta": {"mode": "ten_crop", "resize": 32}})", "", "t");
  EXPECT_EQ(spec.tta.merge, TtaMerge::kMeanProbabilities);
  EXPECT_EQ(spec.tta.resize, 32);
  EXPECT_EQ(tta_view_count(spec.tta), 10);
}

TEST(PipelineTtaSpec, RefusesWhatItDoesNotKnow) {
  EXPECT_NE(parse_error(R"({"mode": "flip", "mrege": "max_probabilities"})")
                .find("'tta.mrege' is not a known key"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"mode": "flop"})")
                .find("'tta.mode' must be one of none, flip, five_crop, ten_crop, multi_scale, got "
                      "\"flop\""),
            std::string::npos);
  EXPECT_NE(
      parse_error(R"({"mode": "flip", "merge": "median"})").find("'tta.merge' must be one of"),
      std::string::npos);
  EXPECT_NE(parse_error(R"({"merge": "mean_logits"})").find("'tta.mode' is missing"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"mode": "multi_scale", "scales": []})")
                .find("'tta.scales' must be a non-empty array"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"mode": "multi_scale", "scales": [32, "x"]})")
                .find("'tta.scales[1]' must be an integer"),
            std::string::npos);
  EXPECT_NE(parse_error(R"("flip")").find("'tta' must be an object"), std::string::npos);
}

TEST(PipelineTtaSpec, RefusesKeysThatDoNotSuitTheModeOrTheModel) {
  EXPECT_EQ(load_error(R"({"mode": "flip"})"), "");
  EXPECT_NE(load_error(R"({"mode": "flip", "scales": [32]})")
                .find("'tta.scales' is only used by multi_scale (mode is flip)"),
            std::string::npos);
  EXPECT_NE(load_error(R"({"mode": "multi_scale"})").find("'tta.scales' is missing"),
            std::string::npos);
  EXPECT_NE(load_error(R"({"mode": "multi_scale", "scales": [32, 20]})")
                .find("has 20, smaller than the 28-pixel crop"),
            std::string::npos);
  EXPECT_NE(load_error(R"({"mode": "five_crop", "resize": 27})").find("'tta.resize' has 27"),
            std::string::npos);
  EXPECT_NE(load_error(R"({"mode": "flip", "resize": 32})")
                .find("'tta.resize' is only used by five_crop and ten_crop"),
            std::string::npos);
}

TEST(PipelineTta, FlipMirrorsThePreprocessedImage) {
  Pipeline pipeline = Pipeline::load(kModel);
  pipeline.set_tta(tta_of(TtaMode::kFlip));
  const Image image = coordinate_image(28, 28);
  const std::vector<Image> views = pipeline.preprocess_views(image);
  ASSERT_EQ(views.size(), 2u);
  for (int y = 0; y < 28; ++y)
    for (int x = 0; x < 28; ++x) {
      ASSERT_EQ(at(views[0], x, y), at(image, x, y));
      ASSERT_EQ(at(views[1], x, y), at(image, 27 - x, y));
    }
}

// torchvision FiveCrop on a 30x29 image, 28x28 crops: top-left (0,0), top-right (2,0),
// bottom-left (0,1), bottom-right (2,1), center (round(2/2)=1, round(1/2)=0 half to even).
// TenCrop adds the same five cut from the mirrored image.
TEST(PipelineTta, TenCropCutsWhereTorchvisionCuts) {
  Pipeline pipeline = Pipeline::load(kModel, "mnist");
  TtaSpec tta = tta_of(TtaMode::kTenCrop);
  pipeline.set_tta(tta);
  pipeline.mutable_spec().preprocess.resize = ResizeStep{};  // crop from the image as it is
  const Image image = coordinate_image(30, 29);
  const Image mirrored = flip_horizontal(image);
  const std::vector<Image> views = pipeline.preprocess_views(image);
  ASSERT_EQ(views.size(), 10u);
  const int corners[5][2] = {{0, 0}, {2, 0}, {0, 1}, {2, 1}, {1, 0}};
  for (int v = 0; v < 10; ++v) {
    const Image& source = v < 5 ? image : mirrored;
    const int left = corners[v % 5][0], top = corners[v % 5][1];
    ASSERT_EQ(views[static_cast<size_t>(v)].width, 28);
    ASSERT_EQ(views[static_cast<size_t>(v)].height, 28);
    for (int y = 0; y < 28; y += 9)
      for (int x = 0; x < 28; x += 9)
        ASSERT_EQ(at(views[static_cast<size_t>(v)], x, y), at(source, left + x, top + y))
            << "view " << v;
  }
  const Image small = coordinate_image(27, 40);
  EXPECT_THROW(pipeline.preprocess_views(small), Error);
}

TEST(PipelineTta, MultiScaleResizesThenCentreCrops) {
  Pipeline pipeline = Pipeline::load(kModel);
  TtaSpec tta = tta_of(TtaMode::kMultiScale);
  tta.scales = {28, 40};
  pipeline.set_tta(tta);
  const Image image = coordinate_image(56, 56);
  const std::vector<Image> views = pipeline.preprocess_views(image);
  ASSERT_EQ(views.size(), 2u);
  const Image expected =
      center_crop(resize_shorter_side(image, 40, ResizeFilter::kBilinear), 28, 28);
  EXPECT_EQ(views[1].samples8, expected.samples8);
  EXPECT_EQ(views[0].samples8, resize_image(image, 28, 28, ResizeFilter::kBilinear).samples8);
}

std::vector<double> softmax(const float* row, int count) {
  double max_value = row[0], sum = 0;
  for (int i = 0; i < count; ++i) max_value = std::max(max_value, double(row[i]));
  std::vector<double> out(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) sum += out[static_cast<size_t>(i)] = std::exp(row[i] - max_value);
  for (double& v : out) v /= sum;
  return out;
}

// The merged answer against the model run on each view alone, merged here by hand.
TEST(PipelineTta, MergesEqualTheSeparateRunsMergedByHand) {
  Pipeline pipeline = Pipeline::load(kModel);
  pipeline.mutable_spec().top_k = 10;
  Image image = coordinate_image(28, 28);
  Image mirrored = flip_horizontal(image);
  std::vector<std::vector<float>> logits;
  for (const Image* view : {&image, &mirrored}) {
    const Tensor x = images_to_tensor({pipeline.preprocess(*view)}, pipeline.tensor_options());
    const Tensor y = pipeline.session().run(std::vector<Tensor>{x})[0];
    logits.emplace_back(y.data<float>(), y.data<float>() + 10);
  }
  const std::vector<double> p0 = softmax(logits[0].data(), 10), p1 = softmax(logits[1].data(), 10);
  std::vector<float> mean_logits(10);
  for (size_t i = 0; i < 10; ++i) mean_logits[i] = (logits[0][i] + logits[1][i]) / 2;
  const std::vector<double> p_mean_logits = softmax(mean_logits.data(), 10);
  for (TtaMerge merge :
       {TtaMerge::kMeanProbabilities, TtaMerge::kMaxProbabilities, TtaMerge::kMeanLogits}) {
    TtaSpec tta = tta_of(TtaMode::kFlip, merge);
    pipeline.set_tta(tta);
    // Three images so the views of several images share one batch.
    const std::vector<Prediction> answers = pipeline.predict_images({image, image, image}, 3);
    ASSERT_EQ(answers.size(), 3u);
    for (const Prediction& answer : answers) {
      ASSERT_TRUE(answer.ok()) << answer.error;
      EXPECT_EQ(answer.views, 2);
      ASSERT_EQ(answer.top_k.size(), 10u);
      for (const ScoredLabel& s : answer.top_k) {
        const size_t i = static_cast<size_t>(s.index);
        const double expected = merge == TtaMerge::kMeanProbabilities  ? (p0[i] + p1[i]) / 2
                                : merge == TtaMerge::kMaxProbabilities ? std::max(p0[i], p1[i])
                                                                       : p_mean_logits[i];
        EXPECT_NEAR(s.probability, expected, 1e-6) << "class " << i;
      }
    }
  }
}

}  // namespace
}  // namespace infera

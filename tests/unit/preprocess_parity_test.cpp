// Our decode + preprocessing against torchvision's on the same files. The expected tensors are
// written by tests/fixtures/make_preprocess_parity.py into the build tree (ctest runs it first,
// as the preprocess_parity_fixtures test); run by hand, the test is skipped until they exist.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <utility>

#include "infera/pipeline.h"
#include "io/npy.h"
#include "pipeline/image.h"
#include "pipeline/preprocess.h"

namespace infera {
namespace {

namespace fs = std::filesystem;

const fs::path kImages = fs::path(__FILE__).parent_path().parent_path() / "fixtures" / "preprocess";
const std::vector<float> kImagenetMean = {0.485f, 0.456f, 0.406f};
const std::vector<float> kImagenetStd = {0.229f, 0.224f, 0.225f};

fs::path expected_dir() {
  return fs::path(INFERA_PARITY_DIR);
}

// Largest |ours - theirs| * std over all elements: the difference in [0, 1] pixel units.
float max_pixel_difference(const Tensor& ours, const Tensor& theirs,
                           const std::vector<float>& stds) {
  EXPECT_EQ(shape_to_string(ours.shape()), "[1, " + shape_to_string(theirs.shape()).substr(1));
  if (ours.numel() != theirs.numel()) return INFINITY;
  int64_t plane = theirs.dim(1) * theirs.dim(2);
  float worst = 0;
  for (int64_t i = 0; i < theirs.numel(); ++i) {
    float std_dev = stds.empty() ? 1.0f : stds[static_cast<size_t>(i / plane)];
    worst = std::max(worst, std::fabs(ours.data<float>()[i] - theirs.data<float>()[i]) * std_dev);
  }
  return worst;
}

class PreprocessParity : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!fs::exists(expected_dir() / (GetParam() + ".imagenet.npy"))) {
      GTEST_SKIP() << "run tests/fixtures/make_preprocess_parity.py " << expected_dir().string();
    }
    image_ = read_image_file(find_image().string());
  }
  fs::path find_image() const {
    for (const char* ext : {".jpg", ".png"}) {
      if (fs::exists(kImages / (GetParam() + ext))) return kImages / (GetParam() + ext);
    }
    return kImages / GetParam();
  }
  Image image_;
};

TEST_P(PreprocessParity, ImagenetResize256CenterCrop224Normalize) {
  Image rgb = convert_channels(image_, 3);
  Image cropped = center_crop(resize_shorter_side(rgb, 256, ResizeFilter::kBilinear), 224, 224);
  TensorOptions options;
  options.mean = kImagenetMean;
  options.std = kImagenetStd;
  Tensor ours = images_to_tensor({cropped}, options);
  Tensor theirs = read_npy((expected_dir() / (GetParam() + ".imagenet.npy")).string());
  float worst = max_pixel_difference(ours, theirs, kImagenetStd);
  std::printf("  %-20s imagenet max |diff| = %.3g (x255 = %.3g)\n", GetParam().c_str(), worst,
              worst * 255);
  EXPECT_LE(worst, 1.0f / 255 + 1e-6f);
}

TEST_P(PreprocessParity, MnistResize28ToTensor) {
  Image grey = convert_channels(image_, 1);
  Tensor ours = images_to_tensor({resize_image(grey, 28, 28, ResizeFilter::kBilinear)}, {});
  Tensor theirs = read_npy((expected_dir() / (GetParam() + ".mnist.npy")).string());
  float worst = max_pixel_difference(ours, theirs, {});
  std::printf("  %-20s mnist    max |diff| = %.3g (x255 = %.3g)\n", GetParam().c_str(), worst,
              worst * 255);
  EXPECT_LE(worst, 1.0f / 255 + 1e-6f);
}

// Each preset as users name it (load_pipeline_spec + the pipeline's own preprocessing) against
// its framework's reference tensor; differences are reported in 0..255 pixel levels.
struct PresetCase {
  const char* preset;
  const char* reference;        // NAME.<reference>.npy
  float pixel_levels_per_unit;  // 0..255 levels per unit of the tensor (imagenet: the largest std)
};

TEST_P(PreprocessParity, EveryPresetMatchesItsFramework) {
  const PresetCase cases[] = {{"torchvision-imagenet", "imagenet", 255.0f * 0.229f},
                              {"mnist", "mnist", 255.0f},
                              {"keras-tf", "keras_tf", 127.5f},
                              {"keras-caffe", "keras_caffe", 1.0f}};
  for (const PresetCase& c : cases) {
    PipelineSpec spec = load_pipeline_spec(c.preset);
    if (spec.width == 0) spec.width = spec.height = 224;  // "the model's input size"
    const Tensor ours =
        images_to_tensor({preprocess_image(image_, spec)}, pipeline_tensor_options(spec));
    const Tensor theirs =
        read_npy((expected_dir() / (GetParam() + "." + c.reference + ".npy")).string());
    ASSERT_EQ(ours.numel(), theirs.numel()) << c.preset;
    float worst = 0;
    for (int64_t i = 0; i < ours.numel(); ++i)
      worst = std::max(worst, std::fabs(ours.data<float>()[i] - theirs.data<float>()[i]));
    const float levels = worst * c.pixel_levels_per_unit;
    std::printf("  %-20s %-20s max |diff| = %.3g (%.3g pixel levels)\n", GetParam().c_str(),
                c.preset, worst, levels);
    EXPECT_LE(levels, 1.0f + 1e-3f) << c.preset;
  }
}

// Image.resize with each filter, shrinking (antialiased) and enlarging, must match exactly.
TEST_P(PreprocessParity, PillowResizeEveryFilter) {
  Image rgb = convert_channels(image_, 3);
  const std::pair<const char*, ResizeFilter> filters[] = {{"nearest", ResizeFilter::kNearest},
                                                          {"bilinear", ResizeFilter::kBilinear},
                                                          {"bicubic", ResizeFilter::kBicubic}};
  for (const auto& [name, filter] : filters) {
    for (auto [w, h] : {std::pair{61, 45}, std::pair{97, 131}}) {
      std::string file = GetParam() + ".resize_" + name + "_" + std::to_string(w) + "x" +
                         std::to_string(h) + ".npy";
      SCOPED_TRACE(file);
      Tensor theirs = read_npy((expected_dir() / file).string());
      Image ours = resize_image(rgb, w, h, filter);
      ASSERT_EQ(ours.sample_count(), static_cast<size_t>(theirs.numel()));
      int worst = 0;
      for (size_t i = 0; i < ours.sample_count(); ++i) {
        worst = std::max(worst, std::abs(ours.samples8[i] - theirs.data<uint8_t>()[i]));
      }
      EXPECT_EQ(worst, 0);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Images, PreprocessParity,
                         ::testing::Values("astronaut", "coffee", "camera", "chelsea",
                                           "rocket_tall", "noise_tiny", "stripes_wide_grey",
                                           "noise_rgba"));

}  // namespace
}  // namespace infera

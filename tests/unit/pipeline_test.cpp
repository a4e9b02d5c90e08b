// infera::Pipeline on the bundled Fashion-MNIST model: spec found beside the model, a bad
// file answered with its own error while the others still get answers.
#include "infera/pipeline.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>


namespace infera {
namespace {

const std::string kModel = INFERA_SOURCE_DIR "/models/fashion_mnist/fashion_mnist_cnn.onnx";

TEST(Pipeline, FindsTheSpecBesideTheModel) {
  Pipeline pipeline = Pipeline::load(kModel);
  EXPECT_EQ(pipeline.spec().labels.size(), 10u);
  EXPECT_EQ(pipeline.spec().top_k, 3);
}

TEST(Pipeline, RefusesASpecThatDoesNotFit) {
  EXPECT_THROW(Pipeline::load(kModel, "torchvision-imagenet"), Error);
}

TEST(Pipeline, BadFileGetsItsOwnErrorOthersAnswered) {
  const auto dir = std::filesystem::temp_directory_path() / "infera_pipeline_test";
  std::filesystem::create_directories(dir);
  const std::string bad = (dir / "bad.png").string();
  std::ofstream(bad) << "not a png";
  Image grey = allocate_image(28, 28, 1, 8, {}, "grey");
  Image big = allocate_image(56, 40, 3, 8, {}, "colour");  // resized and converted to fit
  Pipeline pipeline = Pipeline::load(kModel);
  std::vector<Prediction> answers = pipeline.predict_images({grey, big}, 2);
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_TRUE(answers[0].ok()) << answers[0].error;
  EXPECT_TRUE(answers[1].ok()) << answers[1].error;
  EXPECT_EQ(answers[1].input_shape, (std::vector<int64_t>{1, 1, 28, 28}));
  std::vector<Prediction> files = pipeline.predict_files({bad, (dir / "missing.png").string()}, 4);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_FALSE(files[0].ok());
  EXPECT_NE(files[0].error.find("bad.png"), std::string::npos) << files[0].error;
  EXPECT_FALSE(files[1].ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace infera

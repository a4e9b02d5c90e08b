// Renders every report figure from real data: the bundled Fashion-MNIST classifier run by the
// engine (through infera::Pipeline) on the 10,000 test images, then write_report into OUT_DIR.
// It checks what it can against independent numbers: the confusion matrix's diagonal must
// equal PyTorch's count of correct answers (models/fashion_mnist/pytorch_reference.json).
//
//   infera_fashion_mnist_report REPO_ROOT IDX_PREFIX OUT_DIR
//
// The model is a classifier, so the regression scatter plots a predicted-vs-actual pair a
// classifier has: for each class, the accuracy its predictions claimed (their mean
// confidence) against the accuracy they had (the fraction of them that were right).
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "data/idx.h"
#include "infera/pipeline.h"
#include "report/html_report.h"

namespace {

using infera::report::ReliabilityBin;

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

std::vector<infera::Image> to_images(const infera::Tensor& batch) {
  std::vector<infera::Image> images;
  const int64_t n = batch.dim(0), h = batch.dim(1), w = batch.dim(2);
  for (int64_t i = 0; i < n; ++i) {
    infera::Image img;
    img.width = static_cast<int>(w);
    img.height = static_cast<int>(h);
    img.channels = 1;
    const uint8_t* src = batch.data<uint8_t>() + i * h * w;
    img.samples8.assign(src, src + h * w);
    images.push_back(std::move(img));
  }
  return images;
}

// Equal-width bins over [0, 1]; ECE = sum over bins of (count / n) * |accuracy - confidence|.
infera::report::ReliabilityInput reliability(const std::vector<float>& confidence,
                                             const std::vector<bool>& correct, int bin_count) {
  infera::report::ReliabilityInput out;
  out.bins.resize(bin_count);
  std::vector<double> right(bin_count, 0), confidence_sum(bin_count, 0);
  for (int b = 0; b < bin_count; ++b)
    out.bins[b].lower = static_cast<double>(b) / bin_count,
    out.bins[b].upper = static_cast<double>(b + 1) / bin_count;
  for (size_t i = 0; i < confidence.size(); ++i) {
    const int b = std::min(bin_count - 1, static_cast<int>(confidence[i] * bin_count));
    ++out.bins[b].count;
    right[b] += correct[i];
    confidence_sum[b] += confidence[i];
  }
  for (int b = 0; b < bin_count; ++b) {
    ReliabilityBin& bin = out.bins[b];
    if (bin.count == 0) continue;
    bin.accuracy = right[b] / bin.count;
    bin.mean_confidence = confidence_sum[b] / bin.count;
    out.expected_calibration_error += static_cast<double>(bin.count) / confidence.size() *
                                      std::abs(bin.accuracy - bin.mean_confidence);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: infera_fashion_mnist_report REPO_ROOT IDX_PREFIX OUT_DIR\n");
    return 2;
  }
  const std::string root = argv[1], prefix = argv[2], out_dir = argv[3];
  const std::string model_dir = root + "/models/fashion_mnist/";
  const std::vector<std::string> names = read_lines(model_dir + "labels.txt");
  const int n_classes = static_cast<int>(names.size());
  infera::Pipeline pipeline = infera::Pipeline::load(model_dir + "fashion_mnist_cnn.onnx");
  const infera::Tensor labels = infera::read_idx(prefix + "-labels-idx1-ubyte.gz");
  const std::vector<int64_t> picked = infera::report::pick_sample_indices(labels.numel(), 16, 6);

  infera::report::ReportInput input;
  input.title = "fashion_mnist_cnn.onnx on Fashion-MNIST t10k";
  input.prediction_grid.emplace();
  input.confusion_matrix = infera::report::ConfusionMatrixInput{names, {}};
  std::vector<int64_t>& counts = input.confusion_matrix->counts;
  counts.assign(static_cast<size_t>(n_classes) * n_classes, 0);
  std::vector<float> confidence;
  std::vector<bool> correct;
  std::vector<int> predicted;
  infera::IdxReader reader(prefix + "-images-idx3-ubyte.gz");
  infera::Tensor batch;
  size_t next_pick = 0;
  while (reader.next_batch(500, batch)) {
    const std::vector<infera::Image> images = to_images(batch);
    const std::vector<infera::Prediction> predictions = pipeline.predict_images(images, 500);
    for (size_t i = 0; i < predictions.size(); ++i) {
      const int64_t index = static_cast<int64_t>(confidence.size());
      const int actual = labels.data<uint8_t>()[index];
      const infera::Prediction& p = predictions[i];
      if (!p.ok() || p.index < 0 || p.index >= n_classes) {
        std::fprintf(stderr, "image %lld: no class (%s)\n", static_cast<long long>(index),
                     p.error.c_str());
        return 1;
      }
      ++counts[static_cast<size_t>(actual) * n_classes + p.index];
      confidence.push_back(p.confidence);
      correct.push_back(p.index == actual);
      predicted.push_back(p.index);
      if (next_pick < picked.size() && picked[next_pick] == index) {
        input.prediction_grid->samples.push_back(
            {images[i], names[actual], names[p.index], p.confidence});
        ++next_pick;
      }
    }
  }

  int64_t total = 0, right = 0;
  nlohmann::json per_class = nlohmann::json::array();
  std::vector<double> confidence_by_predicted(n_classes, 0);
  for (size_t i = 0; i < confidence.size(); ++i)
    confidence_by_predicted[predicted[i]] += confidence[i];
  input.scatter =
      infera::report::ScatterInput{.title = "Per predicted class: claimed vs real accuracy",
                                   .x_title = "actual accuracy (precision)",
                                   .y_title = "predicted accuracy (mean confidence)"};
  for (int c = 0; c < n_classes; ++c) {
    int64_t actual_c = 0, predicted_c = 0;
    for (int k = 0; k < n_classes; ++k) {
      actual_c += counts[static_cast<size_t>(c) * n_classes + k];
      predicted_c += counts[static_cast<size_t>(k) * n_classes + c];
    }
    const int64_t tp = counts[static_cast<size_t>(c) * n_classes + c];
    total += actual_c;
    right += tp;
    if (predicted_c > 0) {
      input.scatter->actual.push_back(static_cast<double>(tp) / predicted_c);
      input.scatter->predicted.push_back(confidence_by_predicted[c] / predicted_c);
    }
    per_class.push_back({{"class", names[c]},
                         {"images", actual_c},
                         {"precision", predicted_c ? static_cast<double>(tp) / predicted_c : 0.0},
                         {"recall", actual_c ? static_cast<double>(tp) / actual_c : 0.0}});
  }
  input.reliability = reliability(confidence, correct, 10);
  input.metrics = {{"images", total},
                   {"correct", right},
                   {"accuracy", static_cast<double>(right) / total},
                   {"expected_calibration_error", input.reliability->expected_calibration_error},
                   {"per_class", per_class}};
  const infera::report::ReportFiles files = infera::report::write_report(out_dir, input);

  std::ifstream ref_in(model_dir + "pytorch_reference.json");
  const int64_t pytorch_correct = nlohmann::json::parse(ref_in)["correct"].get<int64_t>();
  std::printf("images %lld, correct %lld (PyTorch %lld), ECE %.4f\n", static_cast<long long>(total),
              static_cast<long long>(right), static_cast<long long>(pytorch_correct),
              input.reliability->expected_calibration_error);
  for (const auto& f : files.figures) std::printf("wrote %s/%s\n", out_dir.c_str(), f.file.c_str());
  std::printf("wrote %s\n", files.html_path.c_str());
  const bool ok = total == 10000 && right == pytorch_correct &&
                  input.prediction_grid->samples.size() == picked.size();
  std::printf("fashion_mnist_report: %s\n", ok ? "passed" : "FAILED");
  return ok ? 0 : 1;
}

// `infera eval MODEL --data idx:PREFIX`: accuracy of a classifier on labelled IDX data
// (MNIST layout: PREFIX-images-idx3-ubyte[.gz] and PREFIX-labels-idx1-ubyte[.gz]).
// Pixels are scaled to [0, 1] as torchvision's ToTensor does.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli.h"
#include "data/idx.h"
#include "infera/infera.h"

namespace infera::cli {
namespace {

std::string find_idx_file(const std::string& prefix, const std::string& kind) {
  for (const char* suffix : {"-ubyte.gz", "-ubyte"}) {
    const std::string path = prefix + "-" + kind + suffix;
    if (std::filesystem::exists(path)) return path;
  }
  throw Error(ErrorKind::kIo, "no IDX file " + prefix + "-" + kind + "-ubyte[.gz]");
}

// [n, 28, 28] uint8 -> float in [0, 1], shaped as the model's input wants ([n, 1, 28, 28]).
Tensor images_to_input(const Tensor& images, const TensorInfo& input) {
  Shape shape = images.shape();
  if (input.has_shape && input.shape.size() == shape.size() + 1) shape.insert(shape.begin() + 1, 1);
  if (input.has_shape && input.shape.size() == 2) shape = {shape[0], images.numel() / shape[0]};
  Tensor x = Tensor::empty(DType::kFloat32, shape);
  const uint8_t* src = images.data<uint8_t>();
  float* dst = x.data<float>();
  for (int64_t i = 0; i < images.numel(); ++i) dst[i] = static_cast<float>(src[i]) / 255.0f;
  return x;
}

int argmax_row(const float* row, int64_t n) {
  return static_cast<int>(std::max_element(row, row + n) - row);
}

}  // namespace

Action add_eval_command(CLI::App& app) {
  struct Args {
    std::string model;
    std::string data;
    std::string reference;
    int batch = 256;
    int threads = 0;
    bool deterministic = false;
    std::string precision = "f32";
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("eval", "Accuracy of a classifier on labelled data");
  cmd->add_option("model", args->model, "ONNX model file")->required();
  cmd->add_option("--data", args->data, "idx:PREFIX (MNIST-layout image and label files)")->required();
  cmd->add_option("--reference", args->reference,
                  "JSON with the reference framework's {\"correct\": N}: fail unless equal");
  cmd->add_option("--batch-size", args->batch, "images per run")->check(CLI::PositiveNumber);
  cmd->add_option("--threads", args->threads, "threads (0: the cores this process may use)");
  cmd->add_flag("--deterministic", args->deterministic,
                "same bits for any thread count and batch size (see docs/DECISIONS.md)");
  cmd->add_option("--precision", args->precision, "f32 or bf16 (Conv/MatMul/Gemm)")
      ->check(CLI::IsMember({"f32", "bf16"}));
  return [args]() {
    if (args->data.rfind("idx:", 0) != 0)
      throw Error(ErrorKind::kInvalidArgument, "--data expects idx:PREFIX, got '" + args->data + "'");
    const std::string prefix = args->data.substr(4);
    SessionOptions options;
    options.threads = args->threads;
    options.deterministic = args->deterministic;
    options.bf16 = args->precision == "bf16";
    Session session = Session::load(args->model, options);
    if (session.inputs().size() != 1)
      throw Error(ErrorKind::kInvalidArgument, "eval expects a model with one input, this one has " +
                                                   std::to_string(session.inputs().size()));
    IdxReader images(find_idx_file(prefix, "images-idx3"));
    const Tensor labels = read_idx(find_idx_file(prefix, "labels-idx1"));
    if (labels.numel() != images.record_count())
      throw Error(ErrorKind::kInvalidArgument, "the label file has " + std::to_string(labels.numel()) +
                                                   " labels for " + std::to_string(images.record_count()) + " images");
    const auto start = std::chrono::steady_clock::now();
    int64_t correct = 0, seen = 0;
    Tensor batch;
    while (images.next_batch(static_cast<size_t>(args->batch), batch)) {
      const Tensor logits = session.run({images_to_input(batch, session.inputs()[0])})[0];
      const int64_t classes = logits.numel() / batch.dim(0);
      for (int64_t i = 0; i < batch.dim(0); ++i, ++seen)
        correct += argmax_row(logits.data<float>() + i * classes, classes) == labels.data<uint8_t>()[seen];
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("images: %lld\ncorrect: %lld\naccuracy: %.4f\ntime: %.2f s (%.0f images/s)\n",
                static_cast<long long>(seen), static_cast<long long>(correct),
                static_cast<double>(correct) / static_cast<double>(std::max<int64_t>(seen, 1)), secs,
                static_cast<double>(seen) / secs);
    if (!args->reference.empty()) {
      std::ifstream in(args->reference);
      if (!in) throw Error(ErrorKind::kIo, "cannot read " + args->reference);
      const nlohmann::json ref = nlohmann::json::parse(in, nullptr, false);
      if (ref.is_discarded() || !ref.contains("correct"))
        throw Error(ErrorKind::kInvalidArgument, args->reference + ": expected JSON with \"correct\"");
      const int64_t want = ref["correct"].get<int64_t>();
      std::printf("reference: %lld correct (%s) -> %s\n", static_cast<long long>(want),
                  args->reference.c_str(), want == correct ? "identical" : "DIFFERENT");
      if (want != correct) return 1;
    }
    return 0;
  };
}

}  // namespace infera::cli

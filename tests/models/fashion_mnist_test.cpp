// The worked example, image by image: the bundled model's predicted class for each of the
// 10,000 Fashion-MNIST test images must equal PyTorch's (models/fashion_mnist/
// pytorch_predictions.npy, written by train.py), and so must the count of correct answers.
#include <algorithm>
#include <cstdio>
#include <string>

#include "data/idx.h"
#include "infera/infera.h"
#include "io/npy.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: infera_fashion_mnist_test REPO_ROOT IDX_PREFIX\n");
    return 2;
  }
  const std::string root = argv[1], prefix = argv[2];
  infera::Session session = infera::Session::load(root + "/models/fashion_mnist/fashion_mnist_cnn.onnx");
  const infera::Tensor torch_pred = infera::read_npy(root + "/models/fashion_mnist/pytorch_predictions.npy");
  const infera::Tensor labels = infera::read_idx(prefix + "-labels-idx1-ubyte.gz");
  infera::IdxReader images(prefix + "-images-idx3-ubyte.gz");
  int64_t seen = 0, agree = 0, correct = 0;
  infera::Tensor batch;
  while (images.next_batch(500, batch)) {
    const int64_t n = batch.dim(0);
    infera::Tensor x = infera::Tensor::empty(infera::DType::kFloat32, {n, 1, 28, 28});
    for (int64_t i = 0; i < x.numel(); ++i)
      x.data<float>()[i] = static_cast<float>(batch.data<uint8_t>()[i]) / 255.0f;
    const infera::Tensor logits = session.run({x})[0];
    for (int64_t i = 0; i < n; ++i, ++seen) {
      const float* row = logits.data<float>() + i * 10;
      const int64_t cls = std::max_element(row, row + 10) - row;
      agree += cls == torch_pred.data<uint8_t>()[seen];
      correct += cls == labels.data<uint8_t>()[seen];
    }
  }
  std::printf("images %lld, same class as PyTorch %lld, correct %lld\n",
              static_cast<long long>(seen), static_cast<long long>(agree),
              static_cast<long long>(correct));
  const bool ok = seen == torch_pred.numel() && agree == seen;
  std::printf("fashion_mnist: %d passed, %d failed\n", ok ? 1 : 0, ok ? 0 : 1);
  return ok ? 0 : 1;
}

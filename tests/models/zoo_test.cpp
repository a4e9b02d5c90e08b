// Whole-model test: each architecture exported by scripts/export_zoo.py must reproduce
// PyTorch's own output on the same input within 1e-4 relative (max |ours - torch| over
// max |torch|). The folder is the first argument; every model named there must be present.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "infera/infera.h"
#include "io/npy.h"

namespace {

constexpr double kMaxRelativeError = 1e-4;

struct Comparison {
  double max_abs_diff = 0;
  double max_abs_ref = 0;
  double relative() const { return max_abs_ref > 0 ? max_abs_diff / max_abs_ref : max_abs_diff; }
};

Comparison compare(const infera::Tensor& ours, const infera::Tensor& ref) {
  Comparison c;
  const float* a = ours.data<float>();
  const float* b = ref.data<float>();
  for (int64_t i = 0; i < ref.numel(); ++i) {
    const double d = std::fabs(static_cast<double>(a[i]) - b[i]);
    c.max_abs_diff = std::isnan(d) ? INFINITY : std::max(c.max_abs_diff, d);
    c.max_abs_ref = std::max(c.max_abs_ref, std::fabs(static_cast<double>(b[i])));
  }
  return c;
}

// Returns true when the model matches.
bool check_model(const std::filesystem::path& dir, const std::string& name) {
  const auto start = std::chrono::steady_clock::now();
  infera::Session session = infera::Session::load((dir / (name + ".onnx")).string());
  const infera::Tensor input = infera::read_npy((dir / (name + ".input.npy")).string());
  const infera::Tensor want = infera::read_npy((dir / (name + ".output.npy")).string());
  const std::vector<infera::Tensor> got = session.run({input});
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (got[0].shape() != want.shape()) {
    std::printf("FAIL %s: output shape %s, PyTorch gives %s\n", name.c_str(),
                infera::shape_to_string(got[0].shape()).c_str(),
                infera::shape_to_string(want.shape()).c_str());
    return false;
  }
  const Comparison c = compare(got[0], want);
  const bool ok = c.relative() <= kMaxRelativeError;
  std::printf("%s %-20s input %s  max|diff| %.3g  max|ref| %.3g  relative %.3g (limit %.0e)  %.1f s\n",
              ok ? "PASS" : "FAIL", name.c_str(), infera::shape_to_string(input.shape()).c_str(),
              c.max_abs_diff, c.max_abs_ref, c.relative(), kMaxRelativeError, secs);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: infera_zoo_test DIR NAME...\n");
    return 2;
  }
  int passed = 0, failed = 0;
  for (int i = 2; i < argc; ++i) {
    try {
      (check_model(argv[1], argv[i]) ? passed : failed)++;
    } catch (const std::exception& e) {
      std::printf("FAIL %s: %s\n", argv[i], e.what());
      ++failed;
    }
  }
  std::printf("zoo: %d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}

// What the fast float32 variants share: a base that keeps the reference kernel for shape
// inference and for every case the variant does not cover, and row-parallel helpers.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>

#include "ops/cpu/simd/dispatch.h"
#include "ops/op.h"

namespace infera {

// Infers exactly as the reference does (same checks, same error messages); run() handles the
// float32 cases the variant knows and hands the rest to the reference.
class SimdVariantKernel : public OpKernel {
 public:
  SimdVariantKernel(const KernelInit& init, std::string op_name)
      : reference_(init.reference_kernel()), op_name_(std::move(op_name)) {}
  void infer(InferContext& ctx) const override { reference_->infer(ctx); }
  std::string kernel_name() const override { return op_name_ + "_f32_" + simd::simd_kernels().isa; }

 protected:
  const OpKernel& reference() const { return *reference_; }

 private:
  std::unique_ptr<OpKernel> reference_;
  std::string op_name_;
};

// Below this many element-operations a second thread costs more than it saves. Measured on 2
// cores with libgomp's bounded spin (a fork-join costs a few microseconds): splitting pays from
// about 64K operations, more so when the input was just written by a kernel on both cores
// (EfficientNet-B0 4.86 -> 4.71 ms with 1 << 18 -> 1 << 16). Under contention the thread
// governor (src/runtime/thread_governor.h) drops to one thread anyway.
inline constexpr int64_t kMinParallelWork = 1 << 16;

// Calls f(thread, begin, end) over [0, items) split into one contiguous range per thread
// (thread < threads: an index into per-thread scratch). Each item is computed the same way
// whatever the split, so results do not depend on the thread count.
template <class F>
void parallel_ranges_per_thread(int threads, int64_t items, int64_t work_per_item, F f) {
  int n = items * work_per_item < kMinParallelWork ? 1 : threads;
  n = static_cast<int>(std::min<int64_t>(n, items));
  if (n <= 1) {
    f(0, int64_t{0}, items);
    return;
  }
#pragma omp parallel num_threads(n)
  {
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    f(t, items * t / nt, items * (t + 1) / nt);
  }
}

// The same without the thread index.
template <class F>
void parallel_ranges(int threads, int64_t items, int64_t work_per_item, F f) {
  parallel_ranges_per_thread(threads, items, work_per_item,
                             [&](int, int64_t begin, int64_t end) { f(begin, end); });
}

// Element-wise work over n floats, in chunks of whole vectors so only the last chunk has a tail.
template <class F>
void parallel_chunks(int threads, int64_t n, int64_t cost_per_element, F f) {
  constexpr int64_t kChunk = 4096;
  const int64_t chunks = (n + kChunk - 1) / kChunk;
  parallel_ranges(threads, chunks, kChunk * cost_per_element, [&](int64_t c0, int64_t c1) {
    const int64_t begin = c0 * kChunk, end = std::min(n, c1 * kChunk);
    if (begin < end) f(begin, end);
  });
}

}  // namespace infera

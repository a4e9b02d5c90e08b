// Shared plumbing for the oneDNN-backed kernels in this folder: one CPU engine, one stream per
// calling thread, thread-count control, plain tensor <-> oneDNN memory descriptors, fused
// activations as post-ops, and carving one scratch block into aligned pieces.
//
// The oneDNN kernels are variants: they register beside the reference kernels, which stay the
// oracle, and delegate to them for the cases they do not cover.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <utility>
#include <vector>

#include "infera/tensor.h"
#include "ops/op.h"

namespace infera::onednn {

dnnl::engine& cpu_engine();
// Streams are not thread-safe; each thread that runs a session gets its own.
dnnl::stream& thread_stream();
// oneDNN's OpenMP runtime reads the calling thread's thread count, both when a primitive is
// created (it partitions work then) and when it executes. Cheap when unchanged.
void set_threads(int threads);
// Below this many multiply-adds a primitive runs on one thread: waking the second thread and
// joining it costs more than it saves. 1 << 21 was measured with passive OpenMP waiting (tens
// of microseconds a fork); with libgomp's default bounded spin (the default since) a fork costs
// a few, and 1 << 19 ran SqueezeNet 1.1 at 0.954-0.960 and MobileNetV2 at 0.947-0.967 of the
// time (alternating runs, 2 threads, 10-12 pairs), EfficientNet-B0, the transformer and
// ResNet-50 even (1.009, 1.011, 0.995); 1 << 18 gained nothing more (0.99-1.02).
inline constexpr double kMinParallelMacs = 1 << 19;
// The threads worth using on a problem of `macs` multiply-adds: `threads`, or 1 when it is
// small. prepare() and run() both pass it to set_threads() with the same problem, so a
// primitive runs with the thread count it was built (and partitioned) for.
inline int threads_for_work(int threads, double macs) {
  return macs < kMinParallelMacs ? 1 : threads;
}
// The work of a product that reads `weights` values once for `macs` multiply-adds, in
// multiply-adds: at batch 1 a weight comes from memory (L3 or DRAM) for one multiply-add, about
// 16 times that multiply-add's share of a compute-bound kernel. A classifier's 1280 x 1000 Gemm
// is 1.3 M multiply-adds but 5 MB of weights, which two threads stream in 0.13-0.15 ms against
// one's 0.22-0.25 (EfficientNet-B0's head, 2 cores).
inline double product_work(double macs, double weights) {
  constexpr double kMacsPerWeightRead = 16;
  return macs > weights * kMacsPerWeightRead ? macs : weights * kMacsPerWeightRead;
}
// True when the CPU computes bfloat16 dot products natively (AVX512-BF16 or AMX).
bool cpu_has_bf16();

dnnl::memory::dims to_dims(const Shape& shape);
// The row-major tag for `rank` dims: a, ab, abc, ...
dnnl::memory::format_tag plain_tag(int rank);
// The tag of a channels-last tensor [N, spatial..., C] for logical dims [N, C, spatial...]:
// acb, acdb, acdeb (undef outside ranks 3 to 5).
dnnl::memory::format_tag channels_last_tag(int rank);
dnnl::memory::desc plain_desc(const Shape& shape,
                              dnnl::memory::data_type type = dnnl::memory::data_type::f32);

// The fused activation of com.infera.FusedConv / FusedGemm / FusedMatMul.
struct Activation {
  std::string name;           // "" for none
  std::vector<float> params;  // Clip [min, max], LeakyRelu [alpha], HardSigmoid [alpha, beta]
};
// Reads and validates `activation` / `activation_params`; throws naming the node.
Activation parse_activation(const KernelInit& init);
// The activation as oneDNN eltwise steps (HardSigmoid takes two; none takes zero).
struct EltwiseStep {
  dnnl::algorithm algorithm;
  float alpha, beta;
};
std::vector<EltwiseStep> eltwise_steps(const Activation& activation);
// Appends the activation as eltwise post-ops.
void append_activation(dnnl::post_ops& ops, const Activation& activation);

// Hands out 64-byte aligned pieces of one scratch block. prepare() sizes the block with
// reserve(); run() finds each piece at the same offset.
class ScratchLayout {
 public:
  // Returns the piece's offset.
  size_t reserve(size_t bytes) {
    const size_t offset = bytes_;
    bytes_ += (bytes + 63) / 64 * 64;
    return offset;
  }
  // What to pass to request_scratch(): room to align the block's start as well.
  size_t request_bytes() const { return bytes_ == 0 ? 0 : bytes_ + 64; }
  static char* piece(void* scratch, size_t offset) {
    auto base = (reinterpret_cast<uintptr_t>(scratch) + 63) / 64 * 64;
    return reinterpret_cast<char*>(base) + offset;
  }

 private:
  size_t bytes_ = 0;
};

// A oneDNN view of memory someone else owns: no data is copied or allocated.
inline dnnl::memory wrap(const dnnl::memory::desc& md, const void* data) {
  return dnnl::memory(md, cpu_engine(), const_cast<void*>(data));
}

// A primitive's arguments as memory objects made once, in prepare(): run() only points them at
// this run's buffers and executes through the C API with a fixed argument array, so a run
// creates no dnnl::memory and no argument map (oneDNN may still allocate inside execute).
// The bindings are shared by every run of the plan; a run that finds another thread using
// them falls back to temporary memory objects for that one call.
class BoundArgs {
 public:
  // The argument's buffer is given to each execute() call.
  void bind(int arg, const dnnl::memory::desc& md);
  // The argument is always this memory (packed constant weights).
  void bind_fixed(int arg, const dnnl::memory& memory);
  // Runs `primitive` on `s` and waits. data[i] is the buffer of the i-th bound argument, in
  // bind order (ignored for fixed ones).
  void execute(const dnnl::primitive& primitive, dnnl::stream& s,
               std::initializer_list<const void*> data) const;

 private:
  void execute_unbound(const dnnl::primitive& primitive, dnnl::stream& s,
                       std::initializer_list<const void*> data) const;

  std::vector<dnnl::memory> memories_;
  std::vector<bool> fixed_;
  std::vector<dnnl_exec_arg_t> args_;
  mutable std::mutex in_use_;
};

// One constant packed into each layout that some plan asked for, so plans of different input
// shapes share the packed copy. Thread-safe: sessions may prepare plans concurrently.
class PackedConstantCache {
 public:
  // The constant at `data` (described by `plain`) in the layout `wanted`, packed on `threads`
  // threads the first time it is asked for.
  dnnl::memory get(const dnnl::memory::desc& plain, const void* data,
                   const dnnl::memory::desc& wanted, int threads);
  // The same for a constant tensor whose bytes may still be in the model file
  // (core/deferred_bytes.h): they are packed from there, and copied into the tensor only when
  // `wanted` is the plain layout (the tensor itself is then what the primitive reads).
  dnnl::memory get(const dnnl::memory::desc& plain, const Tensor& constant,
                   const dnnl::memory::desc& wanted, int threads);

 private:
  std::optional<dnnl::memory> find(const dnnl::memory::desc& wanted);

  std::mutex mutex_;
  std::vector<std::pair<dnnl::memory::desc, dnnl::memory>> packed_;
};

}  // namespace infera::onednn

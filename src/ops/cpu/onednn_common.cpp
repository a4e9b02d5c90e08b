#include "ops/cpu/onednn_common.h"

#include <omp.h>

#include <cstring>
#include <memory>

#include "core/deferred_bytes.h"
#include "core/file_pages.h"
#include "ops/cpu/winograd_weights.h"

namespace infera::onednn {

using tag = dnnl::memory::format_tag;

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& thread_stream() {
  thread_local dnnl::stream stream(cpu_engine());
  return stream;
}

void set_threads(int threads) {
  thread_local int current = 0;
  if (threads < 1) threads = 1;
  if (threads == current) return;
  omp_set_num_threads(threads);
  current = threads;
}

bool cpu_has_bf16() {
  static const bool has = [] {
    const auto isa = dnnl::get_effective_cpu_isa();
    return isa == dnnl::cpu_isa::avx512_core_bf16 || isa == dnnl::cpu_isa::avx512_core_amx;
  }();
  return has;
}

dnnl::memory::dims to_dims(const Shape& shape) {
  return dnnl::memory::dims(shape.begin(), shape.end());
}

dnnl::memory::format_tag plain_tag(int rank) {
  static const tag tags[] = {tag::a, tag::a, tag::ab, tag::abc, tag::abcd, tag::abcde, tag::abcdef};
  if (rank < 0 || rank > 6) return tag::undef;
  return tags[rank];
}

dnnl::memory::format_tag channels_last_tag(int rank) {
  if (rank == 3) return tag::acb;
  if (rank == 4) return tag::acdb;
  if (rank == 5) return tag::acdeb;
  return tag::undef;
}

dnnl::memory::desc plain_desc(const Shape& shape, dnnl::memory::data_type type) {
  if (shape.empty()) return dnnl::memory::desc({1}, type, tag::a);
  return dnnl::memory::desc(to_dims(shape), type, plain_tag(static_cast<int>(shape.size())));
}

Activation parse_activation(const KernelInit& init) {
  Activation a{init.attr_string("activation", ""), init.attr_floats("activation_params")};
  auto need = [&](size_t n) {
    if (a.params.size() != n)
      init.fail("activation " + a.name + " needs " + std::to_string(n) +
                " activation_params, got " + std::to_string(a.params.size()));
  };
  if (a.name == "Clip")
    need(2);
  else if (a.name == "LeakyRelu")
    need(1);
  else if (a.name == "HardSigmoid")
    need(2);
  else if (a.name == "" || a.name == "Relu" || a.name == "Sigmoid" || a.name == "Tanh" ||
           a.name == "HardSwish" || a.name == "SiLU")
    need(0);
  else
    init.fail("unknown activation '" + a.name + "'");
  return a;
}

std::vector<EltwiseStep> eltwise_steps(const Activation& a) {
  using alg = dnnl::algorithm;
  const std::string& n = a.name;
  if (n == "Relu") return {{alg::eltwise_relu, 0.f, 0.f}};
  if (n == "LeakyRelu") return {{alg::eltwise_relu, a.params[0], 0.f}};
  // clip_v2 clips to [min, max] inclusive like ONNX; the older eltwise_clip is (min, max].
  if (n == "Clip") return {{alg::eltwise_clip_v2, a.params[0], a.params[1]}};
  if (n == "Sigmoid") return {{alg::eltwise_logistic, 0.f, 0.f}};
  if (n == "Tanh") return {{alg::eltwise_tanh, 0.f, 0.f}};
  if (n == "HardSwish") return {{alg::eltwise_hardswish, 0.f, 0.f}};
  if (n == "SiLU") return {{alg::eltwise_swish, 1.f, 0.f}};
  // oneDNN 2.6 has no hardsigmoid: alpha * x + beta, then clip to [0, 1].
  if (n == "HardSigmoid")
    return {{alg::eltwise_linear, a.params[0], a.params[1]}, {alg::eltwise_clip_v2, 0.f, 1.f}};
  return {};
}

void append_activation(dnnl::post_ops& ops, const Activation& a) {
  for (const EltwiseStep& step : eltwise_steps(a))
    ops.append_eltwise(1.f, step.algorithm, step.alpha, step.beta);
}

void BoundArgs::bind(int arg, const dnnl::memory::desc& md) {
  memories_.push_back(wrap(md, nullptr));  // no buffer until execute() binds one
  fixed_.push_back(false);
  args_.push_back({arg, memories_.back().get()});
}

void BoundArgs::bind_fixed(int arg, const dnnl::memory& memory) {
  memories_.push_back(memory);
  fixed_.push_back(true);
  args_.push_back({arg, memory.get()});
}

void BoundArgs::execute(const dnnl::primitive& primitive, dnnl::stream& s,
                        std::initializer_list<const void*> data) const {
  if (data.size() != args_.size())
    throw dnnl::error(dnnl_invalid_arguments, "wrong number of oneDNN argument buffers");
  std::unique_lock<std::mutex> lock(in_use_, std::try_to_lock);
  if (!lock.owns_lock()) return execute_unbound(primitive, s, data);
  size_t i = 0;
  for (const void* d : data) {
    if (!fixed_[i])
      dnnl::error::wrap_c_api(dnnl_memory_set_data_handle(memories_[i].get(), const_cast<void*>(d)),
                              "could not bind a oneDNN argument");
    ++i;
  }
  dnnl::error::wrap_c_api(dnnl_primitive_execute(primitive.get(), s.get(),
                                                 static_cast<int>(args_.size()), args_.data()),
                          "could not execute a oneDNN primitive");
  s.wait();
}

void BoundArgs::execute_unbound(const dnnl::primitive& primitive, dnnl::stream& s,
                                std::initializer_list<const void*> data) const {
  std::vector<dnnl::memory> memories;
  std::vector<dnnl_exec_arg_t> args;
  size_t i = 0;
  for (const void* d : data) {
    memories.push_back(fixed_[i] ? memories_[i] : wrap(memories_[i].get_desc(), d));
    args.push_back({args_[i].arg, memories.back().get()});
    ++i;
  }
  dnnl::error::wrap_c_api(
      dnnl_primitive_execute(primitive.get(), s.get(), static_cast<int>(args.size()), args.data()),
      "could not execute a oneDNN primitive");
  s.wait();
}

namespace {

// Aligned memory to pack weights from whose bytes lie unaligned in the model file. Shared and
// kept: warm pages reused for every weight are what leaving the copies in the file saves.
class BounceBuffers {
 public:
  struct Buffer {
    std::unique_ptr<float[]> floats;
    size_t size = 0;
  };
  // A buffer of at least `bytes`; give it back when done (one lost to an exception is freed).
  Buffer take(size_t bytes) {
    const size_t size = (bytes + sizeof(float) - 1) / sizeof(float);
    std::lock_guard<std::mutex> lock(mutex_);
    for (size_t i = 0; i < free_.size(); ++i) {
      if (free_[i].size < size) continue;
      Buffer b = std::move(free_[i]);
      free_.erase(free_.begin() + static_cast<std::ptrdiff_t>(i));
      return b;
    }
    if (!free_.empty()) free_.pop_back();  // too small: replaced by a larger one
    return {std::unique_ptr<float[]>(new float[size]), size};
  }
  void give_back(Buffer b) {
    std::lock_guard<std::mutex> lock(mutex_);
    free_.push_back(std::move(b));
  }

 private:
  std::mutex mutex_;
  std::vector<Buffer> free_;
};

BounceBuffers& bounce_buffers() {
  static auto* pool = new BounceBuffers();
  return *pool;
}

}  // namespace

std::optional<dnnl::memory> PackedConstantCache::find(const dnnl::memory::desc& wanted) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [desc, mem] : packed_)
    if (desc == wanted) return mem;
  return std::nullopt;
}

dnnl::memory PackedConstantCache::get(const dnnl::memory::desc& plain, const Tensor& constant,
                                      const dnnl::memory::desc& wanted, int threads) {
  if (auto packed = find(wanted)) return *packed;
  if (wanted == plain) {
    materialize(constant);
    return get(plain, constant.raw(), wanted, threads);
  }
  dnnl::memory packed;
  with_bytes(constant, [&](const void* bytes) {
    if (reinterpret_cast<uintptr_t>(bytes) % alignof(float) == 0) {
      packed = get(plain, bytes, wanted, threads);
      return;
    }
    BounceBuffers::Buffer bounce = bounce_buffers().take(constant.nbytes());
    std::memcpy(bounce.floats.get(), bytes, constant.nbytes());
    packed = get(plain, bounce.floats.get(), wanted, threads);
    bounce_buffers().give_back(std::move(bounce));
  });
  return packed;
}

dnnl::memory PackedConstantCache::get(const dnnl::memory::desc& plain, const void* data,
                                      const dnnl::memory::desc& wanted, int threads) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [desc, mem] : packed_)
    if (desc == wanted) return mem;
  if (wanted == plain) {
    packed_.emplace_back(wanted, wrap(plain, data));
    return packed_.back().second;
  }
  dnnl::memory dst(wanted, cpu_engine());
  if (!pack_winograd_weights(plain, static_cast<const float*>(data), wanted,
                             static_cast<float*>(dst.get_data_handle()), threads)) {
    dnnl::memory src = wrap(plain, data);
    // The primitives were built for the thread count set now; it is restored for what follows.
    const int built_for = omp_get_max_threads();
    set_threads(threads);
    dnnl::stream& s = thread_stream();
    dnnl::reorder(src, dst).execute(s, src, dst);
    s.wait();
    set_threads(built_for);
  }
  packed_.emplace_back(wanted, dst);
  // The packed copy serves every run from now on; the plain one is read again only if a
  // later plan wants another layout.
  release_file_pages(data, plain.get_size());
  return dst;
}

}  // namespace infera::onednn

// State shared by the message decoders while one file is read: where errors point (file,
// field path, byte), what keeps in-place tensor bytes alive, and where external data may live.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "infera/error.h"
#include "infera/tensor.h"
#include "onnx/external_data.h"
#include "onnx/wire.h"

namespace infera::onnx {

class DecodeContext final : public wire::WireErrorSink {
 public:
  // `keep_alive` owns `whole`; when null, tensor bytes are copied out instead of viewed.
  DecodeContext(std::string file_label, wire::Bytes whole, std::shared_ptr<void> keep_alive,
                std::string base_dir);

  // "file: graph.node[3].attribute 'axis': what" as Error(kInvalidModel).
  [[noreturn]] void fail(const std::string& what) const override;
  [[noreturn]] void fail(ErrorKind kind, const std::string& what) const;

  wire::WireReader whole_reader() const { return wire::WireReader(whole_, whole_.data(), *this); }
  const std::shared_ptr<void>& keep_alive() const { return keep_alive_; }
  ExternalDataResolver& external_data() { return external_data_; }

  std::string field_path() const;
  // Once the current message's name is known: "attribute[2]" becomes "attribute 'axis'".
  void name_current(const std::string& name);

  // Tensors whose bytes must be copied out of the file (unaligned, or nothing keeps them alive)
  // are made deferred (core/deferred_bytes.h). Writing fresh memory is mostly page faults, about
  // 60 ms for ResNet-50's 90 MB of unaligned weights on one thread, so while copies are deferred
  // they are gathered here and made on several threads by finish_copies(); the tensors must not
  // be read before that. `may_stay`: the source stays readable after decoding (the file's
  // mapping owns it), so the tensor may stay deferred past finish_copies().
  void note_deferred(const Tensor& t, bool may_stay);
  void defer_copies() { defer_copies_ = true; }
  // Makes the copies, except of those that may stay deferred and for which `stays_deferred`
  // is true, and gives back the file pages they came from.
  void finish_copies(const std::function<bool(const Tensor&)>& stays_deferred);

 private:
  friend class PathScope;
  struct Deferred {
    Tensor tensor;
    bool may_stay;
  };
  std::string file_label_;
  wire::Bytes whole_;
  std::shared_ptr<void> keep_alive_;
  ExternalDataResolver external_data_;
  std::vector<std::string> path_;
  bool defer_copies_ = false;
  std::vector<Deferred> deferred_;
};

// Names the field being decoded for the lifetime of the scope. Also bounds recursion:
// graphs inside attributes and types inside types can nest, and a hostile file must not be
// able to exhaust the stack.
class PathScope {
 public:
  static constexpr size_t kMaxDepth = 128;

  PathScope(DecodeContext& ctx, std::string segment);
  PathScope(DecodeContext& ctx, const char* field, size_t index);  // "node[3]"
  ~PathScope() { ctx_.path_.pop_back(); }
  PathScope(const PathScope&) = delete;
  PathScope& operator=(const PathScope&) = delete;

 private:
  DecodeContext& ctx_;
};

}  // namespace infera::onnx

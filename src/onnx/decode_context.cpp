#include "onnx/decode_context.h"

#include <utility>

#include "core/deferred_bytes.h"
#include "core/helper_threads.h"

namespace infera::onnx {

DecodeContext::DecodeContext(std::string file_label, wire::Bytes whole,
                             std::shared_ptr<void> keep_alive, std::string base_dir)
    : file_label_(std::move(file_label)),
      whole_(whole),
      keep_alive_(std::move(keep_alive)),
      external_data_(std::move(base_dir)) {}

void DecodeContext::note_deferred(const Tensor& t, bool may_stay) {
  if (!defer_copies_) return materialize(t);
  deferred_.push_back({t, may_stay});
}

void DecodeContext::finish_copies(const std::function<bool(const Tensor&)>& stays_deferred) {
  std::vector<Tensor> copy_now;
  for (const auto& [t, may_stay] : deferred_)
    if (!may_stay || !stays_deferred(t)) copy_now.push_back(t);
  materialize_all(copy_now, usable_cores());
  deferred_.clear();
  defer_copies_ = false;
}

std::string DecodeContext::field_path() const {
  std::string out;
  for (const std::string& segment : path_) {
    if (!out.empty()) out += '.';
    out += segment;
  }
  return out;
}

void DecodeContext::fail(const std::string& what) const { fail(ErrorKind::kInvalidModel, what); }

void DecodeContext::fail(ErrorKind kind, const std::string& what) const {
  const std::string path = field_path();
  throw Error(kind, file_label_ + ": " + (path.empty() ? "" : path + ": ") + what);
}

PathScope::PathScope(DecodeContext& ctx, std::string segment) : ctx_(ctx) {
  ctx_.path_.push_back(std::move(segment));
  if (ctx_.path_.size() > kMaxDepth)
    ctx_.fail("messages nested deeper than " + std::to_string(kMaxDepth) + " levels");
}

PathScope::PathScope(DecodeContext& ctx, const char* field, size_t index)
    : PathScope(ctx, std::string(field) + "[" + std::to_string(index) + "]") {}

void DecodeContext::name_current(const std::string& name) {
  if (name.empty() || path_.empty()) return;
  std::string& segment = path_.back();
  segment = segment.substr(0, segment.find('[')) + " '" + name + "'";
}

}  // namespace infera::onnx

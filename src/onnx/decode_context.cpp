#include "onnx/decode_context.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#include "core/file_pages.h"
#include "core/helper_threads.h"

namespace infera::onnx {

DecodeContext::DecodeContext(std::string file_label, wire::Bytes whole,
                             std::shared_ptr<void> keep_alive, std::string base_dir)
    : file_label_(std::move(file_label)),
      whole_(whole),
      keep_alive_(std::move(keep_alive)),
      external_data_(std::move(base_dir)) {}

void DecodeContext::copy_bytes(void* dst, wire::Bytes src, std::shared_ptr<void> owner) {
  if (src.empty()) return;
  if (defer_copies_) {
    pending_copies_.push_back({dst, src, std::move(owner)});
    return;
  }
  std::memcpy(dst, src.data(), src.size());
  // The copy is what the model reads from now on; the file's pages it came from would otherwise
  // stay resident beside it.
  release_file_pages(src.data(), src.size());
}

void DecodeContext::finish_copies() {
  // Pieces of at most 1 MiB, so one large weight does not leave the other threads idle.
  constexpr size_t kPiece = size_t{1} << 20;
  struct Piece {
    size_t copy, offset, bytes;
  };
  std::vector<Piece> pieces;
  size_t total = 0;
  for (size_t c = 0; c < pending_copies_.size(); ++c) {
    const size_t n = pending_copies_[c].src.size();
    for (size_t off = 0; off < n; off += kPiece) pieces.push_back({c, off, std::min(kPiece, n - off)});
    total += n;
  }
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < pieces.size(); i = next++) {
      const Piece& p = pieces[i];
      std::memcpy(static_cast<uint8_t*>(pending_copies_[p.copy].dst) + p.offset,
                  pending_copies_[p.copy].src.data() + p.offset, p.bytes);
    }
  };
  // A thread per 8 MiB, up to the cores the machine has: starting one costs tens of
  // microseconds, a megabyte of fresh memory about 0.7 ms.
  constexpr size_t kBytesPerThread = size_t{8} << 20;
  const size_t cores = static_cast<size_t>(usable_cores());
  const size_t helpers = std::min(cores, std::max<size_t>(1, total / kBytesPerThread)) - 1;
  run_with_helper_threads(helpers, work);
  for (const PendingCopy& c : pending_copies_) release_file_pages(c.src.data(), c.src.size());
  pending_copies_.clear();
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

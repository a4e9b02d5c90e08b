#include "core/deferred_bytes.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <new>

#include "core/file_pages.h"
#include "core/helper_threads.h"

namespace infera {
namespace {

// The owner of a deferred tensor's buffer, and the tensor's keep_alive.
struct DeferredBuffer {
  uint8_t* buffer = nullptr;
  size_t bytes = 0;
  const uint8_t* source = nullptr;
  std::shared_ptr<void> source_owner;
  std::mutex mutex;  // held while the bytes are copied or read from the file
  bool copied = false;

  ~DeferredBuffer();
};

// Buffers still waiting for their copy, by address, so that any view of one finds it.
std::mutex registry_mutex;
std::map<uintptr_t, DeferredBuffer*>& registry() {
  static auto* buffers = new std::map<uintptr_t, DeferredBuffer*>();
  return *buffers;
}
std::atomic<size_t> registered{0};

void forget(const DeferredBuffer* d) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  if (registry().erase(reinterpret_cast<uintptr_t>(d->buffer)) > 0) --registered;
}

DeferredBuffer::~DeferredBuffer() {
  forget(this);
  std::free(buffer);
}

// The deferred buffer holding `data`, or null; the caller's tensor keeps it alive.
DeferredBuffer* find(const void* data) {
  if (registered.load(std::memory_order_acquire) == 0 || !data) return nullptr;
  const auto address = reinterpret_cast<uintptr_t>(data);
  std::lock_guard<std::mutex> lock(registry_mutex);
  auto it = registry().upper_bound(address);
  if (it == registry().begin()) return nullptr;
  --it;
  DeferredBuffer* d = it->second;
  return address < it->first + std::max<size_t>(d->bytes, 1) ? d : nullptr;
}

// With d->mutex held.
void finish_copy(DeferredBuffer& d) {
  release_file_pages(d.source, d.bytes);
  d.copied = true;
  d.source = nullptr;
  d.source_owner.reset();
  forget(&d);
}

}  // namespace

Tensor make_deferred_tensor(DType dtype, Shape shape, const uint8_t* source,
                            std::shared_ptr<void> source_owner) {
  const Tensor meta = Tensor::meta(dtype, shape);  // validates the dtype
  auto d = std::make_shared<DeferredBuffer>();
  d->bytes = meta.nbytes();
  // Room past the end as Tensor::uninitialized leaves (vector loops may read it). aligned_alloc
  // of this size maps fresh pages, which stay untouched until the copy.
  const size_t padded = (d->bytes + 63) / 64 * 64 + 64;
  d->buffer = static_cast<uint8_t*>(std::aligned_alloc(64, padded));
  if (!d->buffer) throw std::bad_alloc();
  std::memset(d->buffer + d->bytes, 0, padded - d->bytes);
  d->source = source;
  d->source_owner = std::move(source_owner);
  if (d->bytes == 0) {
    d->copied = true;
  } else {
    std::lock_guard<std::mutex> lock(registry_mutex);
    registry()[reinterpret_cast<uintptr_t>(d->buffer)] = d.get();
    ++registered;
  }
  void* data = d->buffer;
  return Tensor(dtype, std::move(shape), data, std::move(d));
}

bool is_deferred(const Tensor& t) {
  return find(t.raw()) != nullptr;
}

void materialize(const Tensor& t) {
  DeferredBuffer* d = find(t.raw());
  if (!d) return;
  std::lock_guard<std::mutex> lock(d->mutex);
  if (d->copied) return;
  std::memcpy(d->buffer, d->source, d->bytes);
  finish_copy(*d);
}

void materialize_all(const std::vector<Tensor>& tensors, int threads) {
  std::vector<DeferredBuffer*> buffers;
  for (const Tensor& t : tensors)
    if (DeferredBuffer* d = find(t.raw()))
      if (std::find(buffers.begin(), buffers.end(), d) == buffers.end()) buffers.push_back(d);
  std::vector<std::unique_lock<std::mutex>> locks;
  struct Piece {
    DeferredBuffer* d;
    size_t offset, bytes;
  };
  std::vector<Piece> pieces;
  constexpr size_t kPiece = size_t{1} << 20;  // one large weight must not leave a thread idle
  size_t total = 0;
  for (DeferredBuffer* d : buffers) {
    locks.emplace_back(d->mutex);
    if (d->copied) continue;
    for (size_t off = 0; off < d->bytes; off += kPiece)
      pieces.push_back({d, off, std::min(kPiece, d->bytes - off)});
    total += d->bytes;
  }
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < pieces.size(); i = next++)
      std::memcpy(pieces[i].d->buffer + pieces[i].offset, pieces[i].d->source + pieces[i].offset,
                  pieces[i].bytes);
  };
  // A thread per 8 MiB: starting one costs tens of microseconds, a MiB of fresh memory ~0.7 ms.
  constexpr size_t kBytesPerThread = size_t{8} << 20;
  const size_t helpers = std::min(static_cast<size_t>(std::max(1, threads)),
                                  std::max<size_t>(1, total / kBytesPerThread)) -
                         1;
  run_with_helper_threads(helpers, work);
  for (DeferredBuffer* d : buffers)
    if (!d->copied) finish_copy(*d);
}

void with_bytes(const Tensor& t, const std::function<void(const void* bytes)>& read) {
  DeferredBuffer* d = find(t.raw());
  if (!d) return read(t.raw());
  std::lock_guard<std::mutex> lock(d->mutex);
  const size_t offset = static_cast<const uint8_t*>(t.raw()) - d->buffer;
  if (d->copied) return read(t.raw());
  read(d->source + offset);
  release_file_pages(d->source + offset, t.nbytes());
}

}  // namespace infera

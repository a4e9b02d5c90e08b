#include "core/file_pages.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <map>
#include <mutex>

namespace infera {
namespace {

struct Mappings {
  std::mutex mutex;
  std::map<uintptr_t, size_t> size_by_begin;
};

Mappings& mappings() {
  static Mappings* all = new Mappings;  // never destroyed: mappings may outlive static teardown
  return *all;
}

}  // namespace

void register_file_mapping(const void* begin, size_t size) {
  Mappings& m = mappings();
  std::lock_guard<std::mutex> lock(m.mutex);
  m.size_by_begin[reinterpret_cast<uintptr_t>(begin)] = size;
}

void unregister_file_mapping(const void* begin) {
  Mappings& m = mappings();
  std::lock_guard<std::mutex> lock(m.mutex);
  m.size_by_begin.erase(reinterpret_cast<uintptr_t>(begin));
}

size_t release_file_pages(const void* data, size_t size) {
  const auto begin = reinterpret_cast<uintptr_t>(data);
  const uintptr_t end = begin + size;
  {
    Mappings& m = mappings();
    std::lock_guard<std::mutex> lock(m.mutex);
    auto it = m.size_by_begin.upper_bound(begin);
    if (it == m.size_by_begin.begin()) return 0;
    --it;  // the last mapping starting at or before `data`
    if (end > it->first + it->second) return 0;
  }
  // Whole pages only: the neighbours of a weight may be other weights still in use (releasing
  // them would be harmless, but would cost a fault).
  const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  const uintptr_t first = (begin + page - 1) / page * page, last = end / page * page;
  if (last <= first) return 0;
  // A private read-only file mapping has no modified pages to lose: the next read of these
  // addresses maps the file's pages again.
  if (::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED) != 0) return 0;
  return last - first;
}

}  // namespace infera

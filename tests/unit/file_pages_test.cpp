// Giving back the pages of a read-only file mapping: the process's resident memory falls, the
// bytes stay readable and unchanged, and memory outside a registered mapping is left alone.
#include "core/file_pages.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "onnx/mapped_file.h"

namespace infera::testing {
namespace {

// VmRSS of this process, in bytes.
size_t resident_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  return 0;
}

uint64_t checksum(const uint8_t* data, size_t size) {
  uint64_t sum = 0;
  for (size_t i = 0; i < size; ++i) sum = sum * 31 + data[i];
  return sum;
}

TEST(FilePages, ReleasedMappingLeavesResidentMemoryAndKeepsItsBytes) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("infera_file_pages_" + std::to_string(getpid()));
  constexpr size_t kBytes = 48 << 20;
  {
    std::vector<uint8_t> bytes(kBytes);
    for (size_t i = 0; i < kBytes; ++i) bytes[i] = static_cast<uint8_t>(i * 7 + i / 4096);
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), kBytes);
  }
  const auto file = MappedFile::open(path.string());
  std::filesystem::remove(path);                               // the mapping keeps the bytes
  const uint64_t before_sum = checksum(file->data(), kBytes);  // every page now resident
  const size_t resident = resident_bytes();

  // A range starting mid-page: only whole pages inside it go.
  const size_t released = release_file_pages(file->data() + 100, kBytes - 100);
  EXPECT_GE(released, kBytes - 2 * 4096);
  EXPECT_LE(released, kBytes - 100);
  EXPECT_LT(resident_bytes() + kBytes / 2, resident) << "resident memory did not fall";
  EXPECT_EQ(checksum(file->data(), kBytes), before_sum);  // faulted back in, unchanged
}

TEST(FilePages, LeavesMemoryOutsideAMappingAlone) {
  std::vector<float> heap(1 << 20, 1.5f);
  EXPECT_EQ(release_file_pages(heap.data(), heap.size() * sizeof(float)), 0u);
  for (float v : heap) ASSERT_EQ(v, 1.5f);
}

}  // namespace
}  // namespace infera::testing

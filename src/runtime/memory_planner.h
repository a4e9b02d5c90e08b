// The memory planner: a pure function from tensor lifetimes to arena offsets.
//
// Each planned tensor is a usage record {first_step, last_step, bytes}: it is written by step
// `first_step` and read for the last time by `last_step`. Two tensors may share bytes when
// their step ranges do not overlap. Greedy by size (largest first, each placed at the lowest
// offset that fits between already-placed tensors alive at the same time), as TFLite Micro's
// planner does: simple, near-optimal for inference graphs, and easy to test.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace infera {

struct UsageRecord {
  int32_t first_step = 0;
  int32_t last_step = 0;
  size_t bytes = 0;
};

struct MemoryPlan {
  std::vector<size_t> offsets;  // one per record, each aligned to `alignment`
  size_t arena_bytes = 0;
};

MemoryPlan plan_memory_greedy(const std::vector<UsageRecord>& records, size_t alignment = 64);

}  // namespace infera

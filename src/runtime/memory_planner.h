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

// A step offering to write output value `output` over the buffer of its input value `input`.
struct BufferOffer {
  int32_t step = 0;
  int input = 0;
  int output = 0;
};

// Takes the offers that are safe: both values live in the arena (first_step >= 0), `input`
// is read for the last time by the offering step, `output` is written by it, and both have
// the same size. Returns, per value, the value whose bytes it uses (itself when it owns them),
// and stretches each owner's last_step over the values that took its buffer, so that only
// owners need a usage record. A residual summed into a Conv then runs in place instead of
// copying the residual into the output first.
std::vector<int> take_offered_buffers(const std::vector<BufferOffer>& offers,
                                      const std::vector<int32_t>& first_step,
                                      const std::vector<size_t>& bytes,
                                      std::vector<int32_t>& last_step);

MemoryPlan plan_memory_greedy(const std::vector<UsageRecord>& records, size_t alignment = 64);

}  // namespace infera

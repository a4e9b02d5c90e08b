#include "runtime/memory_planner.h"

#include <gtest/gtest.h>

namespace infera {
namespace {

bool overlaps_in_memory(const MemoryPlan& plan, const std::vector<UsageRecord>& r, size_t a,
                        size_t b) {
  return plan.offsets[a] < plan.offsets[b] + r[b].bytes &&
         plan.offsets[b] < plan.offsets[a] + r[a].bytes;
}

TEST(MemoryPlanner, ChainReusesMemory) {
  // a -> b -> c -> d: each tensor dies once the next is written, so two slots suffice.
  std::vector<UsageRecord> r = {{0, 1, 100}, {1, 2, 100}, {2, 3, 100}, {3, 4, 100}};
  MemoryPlan plan = plan_memory_greedy(r, 64);
  EXPECT_EQ(plan.arena_bytes, 256u);
  EXPECT_EQ(plan.offsets[0], plan.offsets[2]);
  EXPECT_NE(plan.offsets[0], plan.offsets[1]);
}

TEST(MemoryPlanner, LiveTensorsNeverShareBytes) {
  std::vector<UsageRecord> r;
  for (int i = 0; i < 60; ++i)
    r.push_back({i % 7, i % 7 + (i * 13) % 5, static_cast<size_t>(64 + (i * 97) % 1000)});
  MemoryPlan plan = plan_memory_greedy(r, 64);
  size_t peak_live = 0;
  for (int step = 0; step < 12; ++step) {
    size_t live = 0;
    for (const UsageRecord& u : r)
      if (u.first_step <= step && step <= u.last_step) live += (u.bytes + 63) / 64 * 64;
    peak_live = std::max(peak_live, live);
  }
  for (size_t a = 0; a < r.size(); ++a) {
    EXPECT_EQ(plan.offsets[a] % 64, 0u);
    EXPECT_LE(plan.offsets[a] + r[a].bytes, plan.arena_bytes);
    for (size_t b = a + 1; b < r.size(); ++b) {
      if (r[a].first_step <= r[b].last_step && r[b].first_step <= r[a].last_step) {
        EXPECT_FALSE(overlaps_in_memory(plan, r, a, b)) << a << " and " << b;
      }
    }
  }
  // Greedy is not optimal, but it must stay within a small factor of the live-set bound.
  EXPECT_GE(plan.arena_bytes, peak_live);
  EXPECT_LE(plan.arena_bytes, peak_live * 2);
}

// Values 0..4 written by steps 0..4 (value 5 is a graph input); value 1 is read last by step 2,
// value 2 by step 3, value 3 and value 5 by step 4.
TEST(MemoryPlanner, TakesOnlySafeBufferOffers) {
  const std::vector<int32_t> first{0, 1, 2, 3, 4, -1};
  const std::vector<size_t> bytes{64, 256, 256, 256, 128, 128};
  std::vector<int32_t> last{1, 2, 3, 4, 6, 4};
  const std::vector<BufferOffer> offers{
      {2, 1, 2},  // safe: step 2 reads value 1 for the last time and writes value 2
      {3, 2, 3},  // safe, and value 3 then uses value 1's bytes too (a chain)
      {1, 0, 1},  // not: value 0 is 64 bytes, value 1 256
      {4, 3, 4},  // not: different sizes
      {4, 5, 4},  // not: value 5 is not in the arena (a graph input, say)
  };
  const std::vector<int> owner = take_offered_buffers(offers, first, bytes, last);
  EXPECT_EQ(owner, (std::vector<int>{0, 1, 1, 1, 4, 5}));
  EXPECT_EQ(last[1], 4);  // value 1's bytes stay taken until value 3's last read
}

TEST(MemoryPlanner, RefusesOfferWhenInputIsReadLater) {
  const std::vector<int32_t> first{0, 1};
  const std::vector<size_t> bytes{256, 256};
  std::vector<int32_t> last{3, 2};  // value 0 is still read by step 3
  const std::vector<int> owner = take_offered_buffers({{1, 0, 1}}, first, bytes, last);
  EXPECT_EQ(owner, (std::vector<int>{0, 1}));
  EXPECT_EQ(last[0], 3);
}

TEST(MemoryPlanner, EmptyInputGivesEmptyArena) {
  MemoryPlan plan = plan_memory_greedy({}, 64);
  EXPECT_EQ(plan.arena_bytes, 0u);
}

}  // namespace
}  // namespace infera

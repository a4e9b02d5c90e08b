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

TEST(MemoryPlanner, EmptyInputGivesEmptyArena) {
  MemoryPlan plan = plan_memory_greedy({}, 64);
  EXPECT_EQ(plan.arena_bytes, 0u);
}

}  // namespace
}  // namespace infera

#include "runtime/memory_planner.h"

#include <algorithm>
#include <numeric>

namespace infera {

namespace {
size_t align_up(size_t n, size_t alignment) { return (n + alignment - 1) / alignment * alignment; }
bool lifetimes_overlap(const UsageRecord& a, const UsageRecord& b) {
  return a.first_step <= b.last_step && b.first_step <= a.last_step;
}
}  // namespace

MemoryPlan plan_memory_greedy(const std::vector<UsageRecord>& records, size_t alignment) {
  MemoryPlan plan;
  plan.offsets.assign(records.size(), 0);
  std::vector<size_t> order(records.size());
  std::iota(order.begin(), order.end(), size_t{0});
  // Largest first; ties by earlier start so the result does not depend on sort stability.
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (records[a].bytes != records[b].bytes) return records[a].bytes > records[b].bytes;
    if (records[a].first_step != records[b].first_step)
      return records[a].first_step < records[b].first_step;
    return a < b;
  });

  std::vector<size_t> placed;  // indices into records, kept sorted by offset
  std::vector<size_t> conflicts;
  for (size_t idx : order) {
    const UsageRecord& rec = records[idx];
    const size_t need = align_up(std::max<size_t>(rec.bytes, 1), alignment);
    conflicts.clear();
    for (size_t p : placed)
      if (lifetimes_overlap(records[p], rec)) conflicts.push_back(p);
    // `placed` is sorted by offset, so the conflicts are too: scan the gaps between them.
    size_t candidate = 0;
    for (size_t p : conflicts) {
      const size_t start = plan.offsets[p];
      const size_t end = start + align_up(std::max<size_t>(records[p].bytes, 1), alignment);
      if (candidate + need <= start) break;
      candidate = std::max(candidate, end);
    }
    plan.offsets[idx] = candidate;
    plan.arena_bytes = std::max(plan.arena_bytes, candidate + need);
    auto pos = std::upper_bound(placed.begin(), placed.end(), idx, [&](size_t a, size_t b) {
      return plan.offsets[a] < plan.offsets[b];
    });
    placed.insert(pos, idx);
  }
  return plan;
}

}  // namespace infera

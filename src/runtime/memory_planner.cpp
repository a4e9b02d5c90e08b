#include "runtime/memory_planner.h"

#include <algorithm>
#include <numeric>

namespace infera {

namespace {
size_t align_up(size_t n, size_t alignment) {
  return (n + alignment - 1) / alignment * alignment;
}
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

std::vector<int> take_offered_buffers(const std::vector<BufferOffer>& offers,
                                      const std::vector<int32_t>& first_step,
                                      const std::vector<size_t>& bytes,
                                      std::vector<int32_t>& last_step) {
  std::vector<int> owner(first_step.size());
  for (size_t v = 0; v < owner.size(); ++v) owner[v] = static_cast<int>(v);
  for (const BufferOffer& offer : offers) {
    const int in = offer.input, out = offer.output;
    if (first_step[in] < 0 || first_step[out] != offer.step || last_step[in] != offer.step ||
        owner[out] != out || bytes[in] != bytes[out])
      continue;
    owner[out] = owner[in];
    last_step[owner[in]] = std::max(last_step[owner[in]], last_step[out]);
  }
  return owner;
}

}  // namespace infera

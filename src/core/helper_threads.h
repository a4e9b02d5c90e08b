// One-off work shared with a few plain threads started for it (session creation: decoding
// copies, preparing a plan's nodes), apart from the OpenMP threads the kernels run on.
#pragma once

#include <cstddef>
#include <system_error>
#include <thread>
#include <vector>

namespace infera {

// Cores this process may run on: the affinity mask, capped by a cgroup v2 CPU quota.
int usable_cores();

// Runs `work` on the calling thread and on up to `helpers` threads started for it, and returns
// when all are done. `work` takes its share from a queue of its own, so a thread the system
// refuses to start leaves its share to the others. `work` must not throw.
template <typename Work>
void run_with_helper_threads(size_t helpers, const Work& work) {
  std::vector<std::thread> threads;
  try {
    for (size_t t = 0; t < helpers; ++t) threads.emplace_back(work);
  } catch (const std::system_error&) {
    // No thread to be had: the ones started and this one do all of it.
  }
  work();
  for (std::thread& t : threads) t.join();
}

}  // namespace infera

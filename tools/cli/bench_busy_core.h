// A CPU-burning child process pinned to one core, to measure how a benchmark degrades when it
// must share the machine (OpenMP workers that spin at barriers suffer most). The child dies
// with this object, with its parent (PR_SET_PDEATHSIG), or after `max_seconds`, whichever
// comes first, so an interrupted benchmark never leaves it behind.
#pragma once

#include <sys/types.h>

namespace infera::bench {

class BusyCore {
 public:
  // `cpu` < 0: the last CPU this process may run on.
  BusyCore(int cpu, int max_seconds);
  ~BusyCore();
  BusyCore(const BusyCore&) = delete;
  BusyCore& operator=(const BusyCore&) = delete;
  int cpu() const { return cpu_; }

 private:
  int cpu_ = -1;
  pid_t child_ = -1;
};

}  // namespace infera::bench

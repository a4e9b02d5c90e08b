#include "core/helper_threads.h"

#include <sched.h>

#include <algorithm>
#include <fstream>
#include <string>

namespace infera {

int usable_cores() {
  int cores = 1;
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) cores = std::max(1, CPU_COUNT(&set));
  std::ifstream quota_file("/sys/fs/cgroup/cpu.max");
  std::string quota, period;
  if (quota_file >> quota >> period && quota != "max") {
    const double limit = std::stod(quota) / std::stod(period);
    cores = std::max(1, std::min(cores, static_cast<int>(limit + 0.5)));
  }
  return cores;
}

}  // namespace infera

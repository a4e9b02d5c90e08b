#include "bench_busy_core.h"

#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "infera/error.h"

namespace infera::bench {
namespace {

int last_allowed_cpu() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 0;
  for (int cpu = CPU_SETSIZE - 1; cpu >= 0; --cpu)
    if (CPU_ISSET(cpu, &set)) return cpu;
  return 0;
}

[[noreturn]] void burn(int cpu, int max_seconds, pid_t parent) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(0);  // the parent died before the line above took effect
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  sched_setaffinity(0, sizeof set, &set);
  alarm(static_cast<unsigned>(max_seconds));  // SIGALRM's default action ends the process
  volatile unsigned long counter = 0;
  for (;;) counter = counter + 1;
}

}  // namespace

BusyCore::BusyCore(int cpu, int max_seconds) : cpu_(cpu < 0 ? last_allowed_cpu() : cpu) {
  const pid_t parent = getpid();
  child_ = fork();
  if (child_ < 0)
    throw Error(ErrorKind::kIo,
                std::string("bench: cannot start the busy-core process: ") + std::strerror(errno));
  if (child_ == 0) burn(cpu_, max_seconds, parent);
}

BusyCore::~BusyCore() {
  if (child_ <= 0) return;
  kill(child_, SIGKILL);
  waitpid(child_, nullptr, 0);
}

}  // namespace infera::bench

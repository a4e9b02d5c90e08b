#include "omp_wait_policy.h"

#include <link.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace infera::cli {
namespace {

bool libgomp_is_loaded() {
  bool found = false;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* found_flag) {
        if (info->dlpi_name && std::strstr(info->dlpi_name, "libgomp")) {
          *static_cast<bool*>(found_flag) = true;
          return 1;
        }
        return 0;
      },
      &found);
  return found;
}

}  // namespace

void reexec_with_passive_omp_wait(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT")) return;
  if (!libgomp_is_loaded()) return;  // nothing reads the variable: spare the exec
  setenv("OMP_WAIT_POLICY", "passive", 1);
  execv("/proc/self/exe", argv);
  // Still here: exec failed (no /proc?). Running with libgomp's default is correct, only slower
  // under contention; the variable stays set for any child process.
}

}  // namespace infera::cli

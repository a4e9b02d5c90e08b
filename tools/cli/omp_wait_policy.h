// Passive OpenMP waiting by default for the `infera` command.
//
// Why: oneDNN's kernels run on libgomp, whose idle workers spin at each barrier before
// sleeping. On a machine where another process holds a core, the spinning workers steal time
// from the one doing the work, and a convolution measured ~17x slower (490 -> 29 GFLOP/s);
// OMP_WAIT_POLICY=passive removed that, at a cost of 1-3% on an idle machine.
//
// How: libgomp reads OMP_WAIT_POLICY and GOMP_SPINCOUNT once, in its own initializer, which
// runs before main() and before any constructor of the executable (a shared library is
// initialized before the program that needs it). setenv() in a constructor comes too late,
// and setenv() in .preinit_array is undone when libc initializes its environment (both tried
// with a test program: GOMP_SPINCOUNT stayed 300000). So main() re-executes the program once
// with OMP_WAIT_POLICY=passive, only when libgomp is loaded and the user set neither variable.
//
// Library users: set OMP_WAIT_POLICY=passive in the environment of the process (or re-exec as
// here); to measure libgomp's own default, set GOMP_SPINCOUNT=300000.
#pragma once

namespace infera::cli {

// Returns only if no re-exec was needed or the re-exec failed (then runs with the default).
void reexec_with_passive_omp_wait(char** argv);

}  // namespace infera::cli

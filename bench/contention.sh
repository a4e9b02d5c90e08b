#!/usr/bin/env bash
# How much a busy core costs, under each OpenMP wait policy: `infera bench` on an idle machine
# and with --busy-core (a spinning process pinned to the last core), for
#   passive  - OMP_WAIT_POLICY=passive (sleep at once)
#   default  - libgomp's own default, what the infera CLI uses (spin ~300000 iterations, then
#              sleep): GOMP_SPINCOUNT=300000, with --nondeterministic (a fixed thread count)
#   active   - OMP_WAIT_POLICY=active (spin at every barrier)
#   governed - the default policy in deterministic mode (the CLI's default), whose sessions drop
#              to one thread while that runs faster (src/runtime/thread_governor.h)
# and, for scale, one thread with the default policy (what the governor falls back to).
#
#   bench/contention.sh MODEL [BATCH] [THREADS] [ITERATIONS]     (INFERA=path/to/infera)
set -euo pipefail
model=${1:?usage: contention.sh MODEL [BATCH] [THREADS] [ITERATIONS]}
batch=${2:-1}
threads=${3:-2}
iterations=${4:-10}
infera=${INFERA:-$(cd "$(dirname "$0")/.." && pwd)/build/infera}

median_ms() {  # median_ms "BENCH FLAGS" THREADS VAR=VALUE...: infera bench's median in ms
  local flags=$1 run_threads=$2
  shift 2
  env "$@" "$infera" bench "$model" --batch "$batch" --threads "$run_threads" \
    --iterations "$iterations" --warmup 2 --json $flags |
    /usr/bin/python3 -c 'import json,sys; print("%.3f" % (json.load(sys.stdin)["median_seconds"]*1e3))'
}

printf '%-8s  %12s  %12s  %8s\n' policy "idle ms" "busy ms" "busy/idle"
for policy in passive default active governed one-thread; do
  flags="" run_threads=$threads
  case $policy in
    passive) vars=(OMP_WAIT_POLICY=passive) flags=--nondeterministic ;;
    default) vars=(GOMP_SPINCOUNT=300000) flags=--nondeterministic ;;
    active) vars=(OMP_WAIT_POLICY=active) flags=--nondeterministic ;;
    governed) vars=(GOMP_SPINCOUNT=300000) ;;
    one-thread) vars=(GOMP_SPINCOUNT=300000) run_threads=1 ;;
  esac
  idle=$(median_ms "$flags" "$run_threads" "${vars[@]}")
  loaded=$(median_ms "$flags --busy-core" "$run_threads" "${vars[@]}")
  printf '%-8s  %12s  %12s  %8.2f\n' "$policy" "$idle" "$loaded" \
    "$(/usr/bin/python3 -c "print($loaded/$idle)")"
done

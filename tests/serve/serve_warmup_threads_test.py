#!/usr/bin/env python3
"""Warm-up leaves no OpenMP team behind. libgomp keeps a team of worker threads for every
thread that ran a parallel region, for as long as that thread lives, and while it manages more
threads than there are cores its barriers sleep at once instead of spinning: warmed up on the
loading thread, a served ResNet-50 ran ~20% slower on its batcher's thread (docs/SERVING.md, load test).

Two servers with the same model at `threads` = this machine's cores, one warmed up and one not,
must run as many threads once ready; and a request to the cold one must add the batcher's team
(cores - 1 workers), which shows the count sees teams at all.

  serve_warmup_threads_test.py BUILD_DIR
"""
import json
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_harness import FASHION_MODEL, Server, add_model, check, fashion_images, finish  # noqa: E402

BATCH = 64  # enough work for every op to use all the threads


def thread_count(pid):
    return len(os.listdir(f"/proc/{pid}/task"))


def settled_thread_count(pid, seconds=10):
    """The thread count once it stops changing (a finished thread's workers exit after it)."""
    deadline = time.monotonic() + seconds
    last = thread_count(pid)
    while time.monotonic() < deadline:
        time.sleep(0.2)
        now = thread_count(pid)
        if now == last:
            return now
        last = now
    return last


def main():
    build = sys.argv[1]
    cores = len(os.sched_getaffinity(0))
    if cores < 2:
        print("serve_warmup_threads: one core here, so no session starts a team: nothing to check")
        return
    work = tempfile.mkdtemp(prefix="infera_warmup_threads_test_")
    config = {"threads": cores, "max_batch_size": BATCH, "max_queue_delay_us": 1000}
    add_model(os.path.join(work, "warm"), "fashion", 1, FASHION_MODEL, config)
    add_model(os.path.join(work, "cold"), "fashion", 1, FASHION_MODEL, dict(config, warmup=False))
    warm = Server(build, os.path.join(work, "warm"))
    cold = Server(build, os.path.join(work, "cold"))
    try:
        warm_threads = settled_thread_count(warm.process.pid)
        cold_threads = settled_thread_count(cold.process.pid)
        check(warm_threads == cold_threads,
              f"warmed-up server runs {warm_threads} threads, the one without warm-up "
              f"{cold_threads}: the warm-up left an OpenMP team behind")

        images = fashion_images(BATCH)
        body = json.dumps({"inputs": [{"name": "image", "datatype": "FP32", "shape": list(images.shape),
                                       "data": images.reshape(-1).tolist()}]}).encode()
        status, _, payload = cold.request("POST", "/v2/models/fashion/infer", body,
                                          {"Content-Type": "application/json"})
        check(status == 200, f"infer: {status} {payload[:200]!r}")
        after = settled_thread_count(cold.process.pid)
        check(after - cold_threads == cores - 1,
              f"a request added {after - cold_threads} threads, not the batcher's team of "
              f"{cores - 1} workers: the count does not see OpenMP teams")
    finally:
        for server in (warm, cold):
            code = server.stop()
            check(code == 0, f"server exit code {code}")
    shutil.rmtree(work, ignore_errors=True)
    finish("serve_warmup_threads")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Every served model runs on the same engine thread, and so on one OpenMP team. libgomp keeps a
team of worker threads for every thread that ran a parallel region, for as long as that thread
lives, and while it manages more threads than there are cores its barriers sleep at once instead
of spinning: a second model, or a warm-up on another thread, made a loaded model ~20-25% slower
(docs/SERVING.md, load test; src/serve/engine_threads.h).

A server with two models at `threads` = this machine's cores, warmed up: requests to both add no
thread (the warm-up made the one team they share). The same server without warm-up: the first
request adds the team (cores - 1 workers), which shows the count sees teams at all, and a request
to the other model adds nothing.

  serve_engine_threads_test.py BUILD_DIR
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


def infer(server, model, body):
    status, _, payload = server.request("POST", f"/v2/models/{model}/infer", body,
                                        {"Content-Type": "application/json"})
    check(status == 200, f"infer {model}: {status} {payload[:200]!r}")


def main():
    build = sys.argv[1]
    cores = len(os.sched_getaffinity(0))
    if cores < 2:
        print("serve_engine_threads: one core here, so no session starts a team: nothing to check")
        return
    work = tempfile.mkdtemp(prefix="infera_engine_threads_test_")
    config = {"threads": cores, "max_batch_size": BATCH, "max_queue_delay_us": 1000}
    for repository, warm in (("warm", True), ("cold", False)):
        for model in ("first", "second"):
            add_model(os.path.join(work, repository), model, 1, FASHION_MODEL, dict(config, warmup=warm))
    warm = Server(build, os.path.join(work, "warm"))
    cold = Server(build, os.path.join(work, "cold"))
    images = fashion_images(BATCH)
    body = json.dumps({"inputs": [{"name": "image", "datatype": "FP32", "shape": list(images.shape),
                                   "data": images.reshape(-1).tolist()}]}).encode()
    try:
        ready = settled_thread_count(warm.process.pid)
        infer(warm, "first", body)
        infer(warm, "second", body)
        after = settled_thread_count(warm.process.pid)
        check(after == ready,
              f"requests to two warmed-up models added {after - ready} threads: the warm-up left "
              f"its OpenMP team elsewhere, or the models do not share one")

        ready = settled_thread_count(cold.process.pid)
        infer(cold, "first", body)
        first = settled_thread_count(cold.process.pid)
        check(first - ready == cores - 1,
              f"a first request added {first - ready} threads, not the engine's team of "
              f"{cores - 1} workers: the count does not see OpenMP teams")
        infer(cold, "second", body)
        second = settled_thread_count(cold.process.pid)
        check(second == first,
              f"a request to the second model added {second - first} threads: it runs on a "
              f"team of its own")
    finally:
        for server in (warm, cold):
            code = server.stop()
            check(code == 0, f"server exit code {code}")
    shutil.rmtree(work, ignore_errors=True)
    finish("serve_engine_threads")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Reload under load: client threads send requests without pause while the repository gains
version 2 (found by --poll-seconds) and later version 3; every request must succeed, answers
must stay right, and both old and new versions must have answered.

  serve_reload_test.py BUILD_DIR
"""
import json
import os
import shutil
import sys
import tempfile
import threading
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_harness import FASHION_MODEL, Server, add_model, fashion_images, infera_run, wait_until  # noqa: E402

CLIENTS = 4


def publish_version(repository, version):
    """Writes the version folder elsewhere and renames it in, so polling never sees half a file."""
    staging = os.path.join(repository, "..", f"staging{version}")
    os.makedirs(staging)
    shutil.copyfile(FASHION_MODEL, os.path.join(staging, "model.onnx"))
    os.rename(staging, os.path.join(repository, "fashion", str(version)))


def main():
    build = sys.argv[1]
    work = tempfile.mkdtemp(prefix="infera_reload_test_")
    repository = os.path.join(work, "repo")
    add_model(repository, "fashion", 1, FASHION_MODEL, {"max_batch_size": 8, "max_queue_delay_us": 1000})
    images = fashion_images(2)
    expected = infera_run(build, FASHION_MODEL, images, os.path.join(work, "run"))
    body = json.dumps({"inputs": [{"name": "image", "datatype": "FP32", "shape": [2, 1, 28, 28],
                                   "data": images.reshape(-1).tolist()}]}).encode()
    server = Server(build, repository, "--poll-seconds", "1", "--log-level", "warn")
    stop = threading.Event()
    counts = {"ok": 0, "failed": 0, "wrong": 0}
    versions = set()
    errors = []
    lock = threading.Lock()

    def client():
        connection = server.connect(timeout=30)
        while not stop.is_set():
            try:
                connection.request("POST", "/v2/models/fashion/infer", body, {"Content-Type": "application/json"})
                response = connection.getresponse()
                payload = response.read()
            except Exception as e:  # a dropped connection is a failed request too
                with lock:
                    counts["failed"] += 1
                    errors.append(repr(e))
                connection.close()
                connection = server.connect(timeout=30)
                continue
            with lock:
                if response.status != 200:
                    counts["failed"] += 1
                    errors.append(f"{response.status} {payload[:200]!r}")
                    continue
                answer = json.loads(payload)
                got = np.array(answer["outputs"][0]["data"], np.float32).reshape(2, 10)
                counts["ok" if np.array_equal(got, expected) else "wrong"] += 1
                versions.add(answer["model_version"])
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    try:
        for version in (2, 3):
            time.sleep(1.5)
            publish_version(repository, version)
            wait_until(lambda: server.json("GET", "/v2/models/fashion")[1]["versions"] == [str(version)], 60,
                       f"version {version} to be served")
        time.sleep(1.5)
    finally:
        stop.set()
        for t in threads:
            t.join(60)
        code = server.stop()
    print(f"reload under load: {counts}, versions answering: {sorted(versions)}")
    problems = []
    if counts["failed"] or counts["wrong"]:
        problems.append(f"{counts['failed']} failed and {counts['wrong']} wrong answers: {errors[:5]}")
    if versions != {"1", "2", "3"}:
        problems.append(f"expected answers from versions 1, 2 and 3, got {sorted(versions)}")
    if counts["ok"] < 50:
        problems.append(f"only {counts['ok']} requests made it: the load was too light to mean anything")
    if code != 0:
        problems.append(f"server exit code {code}")
    if problems:
        sys.exit("; ".join(problems))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

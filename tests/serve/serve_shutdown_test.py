#!/usr/bin/env python3
"""SIGTERM under load: the server answers or refuses every request in flight and exits 0, every
time. A request's callback holds its model, so at exit the last reference to a model could fall
to one of its batcher's own threads, which then joined itself (std::terminate, "Resource
deadlock avoided", about 1 exit in 7 under load with two models); the repository now stops every
batcher before letting go of its models (src/serve/model_repository.cpp). With this small model
the race rarely shows here; `ServeModelLifetime` in the unit tests is the check that fails
without that fix. This one holds the whole server to a clean exit under load.

  serve_shutdown_test.py BUILD_DIR [CYCLES]
"""
import http.client
import os
import shutil
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_harness import FASHION_MODEL, Server, add_model, check, fashion_images, finish, image_request  # noqa: E402

CLIENTS = 6
LOAD_SECONDS = 0.6


def hammer(port, model, body, headers, stop, counts):
    """Requests on one keep-alive connection until `stop`; counts answers by status."""
    connection = None
    while not stop.is_set():
        try:
            if connection is None:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("POST", f"/v2/models/{model}/infer", body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            counts[response.status] = counts.get(response.status, 0) + 1
        except (OSError, http.client.HTTPException):
            counts["refused"] = counts.get("refused", 0) + 1  # the server is going away
            connection = None
            time.sleep(0.01)


def main():
    build = sys.argv[1]
    cycles = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    work = tempfile.mkdtemp(prefix="infera_shutdown_test_")
    repository = os.path.join(work, "repository")
    config = {"max_batch_size": 8, "max_queue_delay_us": 500}
    for model in ("first", "second"):
        add_model(repository, model, 1, FASHION_MODEL, config)
    body, headers = image_request(fashion_images(1), binary=True)
    answered = 0
    for cycle in range(cycles):
        server = Server(build, repository)
        stop = threading.Event()
        counts = [{} for _ in range(CLIENTS)]
        clients = [threading.Thread(target=hammer, args=(server.port, ("first", "second")[i % 2], body,
                                                         headers, stop, counts[i]))
                   for i in range(CLIENTS)]
        for client in clients:
            client.start()
        time.sleep(LOAD_SECONDS)
        code = server.stop()
        stop.set()
        for client in clients:
            client.join()
        log = server.log_text()
        check(code == 0, f"cycle {cycle}: exit code {code}; log: {log[-500:]!r}")
        check("terminate" not in log, f"cycle {cycle}: {log[-500:]!r}")
        statuses = {}
        for c in counts:
            for status, n in c.items():
                statuses[status] = statuses.get(status, 0) + n
        check(set(statuses) <= {200, 503, "refused"}, f"cycle {cycle}: answers {statuses}")
        answered += statuses.get(200, 0)
    check(answered > cycles * CLIENTS, f"only {answered} requests answered 200 in {cycles} cycles")
    shutil.rmtree(work, ignore_errors=True)
    print(f"serve_shutdown: {cycles} SIGTERMs under load, {answered} requests answered")
    finish("serve_shutdown")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Soak test of `infera serve` (not in CI's default run: CMake option INFERA_SOAK). For a
bounded time and request count, several client threads send a seeded mix of valid requests
(JSON and binary tensors, a batch of four, the classification extension) and invalid ones
(malformed JSON, wrong shape, wrong datatype, unknown model, a body over the size limit,
binary data shorter than it claims) and cut connections on purpose (mid-body, before reading
the answer, right after connecting), all on 127.0.0.1 against the Fashion-MNIST model.

It asserts that every valid request is answered 200 with the answer `infera run` gives for
the same image alone, that every invalid one gets its 4xx (never a 5xx, never a dropped
connection the client did not cut), and that the server's resident memory (VmRSS, sampled
every few seconds) stays within 10% of its first sample after warm-up.

  serve_soak_test.py BUILD_DIR [--duration 600] [--max-requests 2000000] [--clients 4]
"""
import argparse
import http.client
import json
import os
import random
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections import Counter

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_harness import (check, finish, FASHION_MODEL, FASHION_SPEC, Server, add_model,  # noqa: E402
                           fashion_images, image_request, infera_run, split_binary)

IMAGES = 16
MAX_REQUEST_MIB = 1
RSS_TOLERANCE = 0.10


class Reference:
    """Each test image's answer from `infera run` on that image alone, computed once."""

    def __init__(self, build, work):
        self.images = fashion_images(IMAGES)
        self.logits = np.concatenate([
            infera_run(build, FASHION_MODEL, self.images[i:i + 1], os.path.join(work, f"reference{i}"))
            for i in range(IMAGES)])
        self.labels = json.load(open(FASHION_SPEC))["labels"]

    def top3(self, i):
        """The classification extension's answer for image i: "score:index:label", best first."""
        order = np.argsort(-self.logits[i], kind="stable")[:3]
        return [(int(k), self.labels[k]) for k in order]


# Each kind: (weight, expected status or None for a cut connection). Valid kinds expect 200.
KINDS = {
    "json": (20, 200), "binary": (25, 200), "batch4": (8, 200), "classification": (7, 200),
    "malformed_json": (6, 400), "wrong_shape": (6, 400), "wrong_datatype": (6, 400),
    "unknown_model": (5, 404), "oversized": (4, 413), "truncated_binary": (5, 400),
    "cut_mid_body": (3, None), "cut_before_answer": (3, None), "cut_at_connect": (2, None),
}


class Client:
    """One client thread's keep-alive connection; reconnects after the server closes it."""

    def __init__(self, port):
        self.port = port
        self.connection = None

    def post(self, path, body, headers):
        """(status, lower-case headers, body); raises on a dropped connection."""
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            self.connection.request("POST", path, body=body, headers=headers)
            response = self.connection.getresponse()
            payload = response.read()
        except Exception:
            self.close()
            raise
        if response.will_close:
            self.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, payload

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def raw_socket_request(port, data, read_answer=True):
    """Sends `data` on a new connection; returns the first line of the answer (or b"")."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(data)
        if not read_answer:
            return b""
        reply = b""
        while b"\r\n" not in reply:
            chunk = sock.recv(4096)
            if not chunk:
                break
            reply += chunk
        return reply.split(b"\r\n", 1)[0]


INFER = "/v2/models/fashion/infer"


def send_valid(kind, client, reference, rng):
    """Sends one valid request; returns (status, None) or (status, what is wrong with the answer)."""
    i = rng.randrange(IMAGES)
    if kind == "batch4":
        rows = [rng.randrange(IMAGES) for _ in range(4)]
        body, headers = image_request(reference.images[rows], binary=True, binary_data_output=True)
        status, response_headers, payload = client.post(INFER, body, headers)
        if status != 200:
            return status, payload[:200]
        got = np.frombuffer(split_binary(response_headers, payload)[1], np.float32).reshape(4, 10)
        return status, None if np.array_equal(got, reference.logits[rows]) else f"batch of {rows} differs"
    if kind == "classification":
        body, headers = image_request(reference.images[i:i + 1],
                                      outputs=[{"name": "logits", "parameters": {"classification": 3}}])
        status, _, payload = client.post(INFER, body, headers)
        if status != 200:
            return status, payload[:200]
        got = [(int(t.split(":")[1]), t.split(":", 2)[2]) for t in json.loads(payload)["outputs"][0]["data"]]
        return status, None if got == reference.top3(i) else f"top 3 of image {i}: {got}"
    binary = kind == "binary"
    body, headers = image_request(reference.images[i:i + 1], binary=binary, binary_data_output=binary)
    status, response_headers, payload = client.post(INFER, body, headers)
    if status != 200:
        return status, payload[:200]
    if binary:
        got = np.frombuffer(split_binary(response_headers, payload)[1], np.float32)
    else:
        got = np.array(json.loads(payload)["outputs"][0]["data"], np.float32)
    return status, None if np.array_equal(got, reference.logits[i]) else f"{kind} answer for image {i} differs"


def send_invalid(kind, client, port, reference):
    """Sends one invalid request; returns its status."""
    image = reference.images[:1]
    if kind == "oversized":  # declared over --max-request-mib: refused before the body is read
        head = f"POST {INFER} HTTP/1.1\r\nHost: soak\r\nContent-Length: {(MAX_REQUEST_MIB << 20) + 1}\r\n\r\n"
        line = raw_socket_request(port, head.encode())
        return int(line.split()[1]) if line.startswith(b"HTTP/1.1 ") else (line.decode(errors="replace") or "no answer")
    if kind == "malformed_json":
        body, headers = b'{"inputs": [{"name": "image", "datatype": "FP32", "shape": [1, 1, 28', {}
    elif kind == "wrong_shape":
        body, headers = image_request(image.reshape(1, 1, 784, 1))
    elif kind == "wrong_datatype":
        body = json.dumps({"inputs": [{"name": "image", "datatype": "FP64", "shape": [1, 1, 28, 28],
                                       "data": image.reshape(-1).tolist()}]}).encode()
        headers = {}
    elif kind == "unknown_model":
        body, headers = image_request(image, binary=True)
        return client.post("/v2/models/no_such_model/infer", body, headers)[0]
    else:  # truncated_binary: binary_data_size claims more than the body holds
        body, headers = image_request(image, binary=True)
        body = body[:-100]
    return client.post(INFER, body, headers)[0]


def cut_connection(kind, port, reference):
    """Leaves on purpose: halfway through a body, before the answer, or right after connecting."""
    body, _ = image_request(reference.images[:1])
    head = f"POST {INFER} HTTP/1.1\r\nHost: soak\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    if kind == "cut_mid_body":
        raw_socket_request(port, head + body[:len(body) // 2], read_answer=False)
    elif kind == "cut_before_answer":
        raw_socket_request(port, head + body, read_answer=False)
    else:
        raw_socket_request(port, b"", read_answer=False)


class Tally:
    """What every client thread saw, under one lock."""

    def __init__(self, max_requests):
        self.lock = threading.Lock()
        self.max_requests = max_requests
        self.sent = 0
        self.statuses = Counter()  # (kind, status)
        self.problem_count = 0
        self.problems = []  # the first few, to print

    def take_ticket(self):
        with self.lock:
            self.sent += 1
            return self.sent <= self.max_requests

    def record(self, kind, status, problem=None):
        with self.lock:
            self.statuses[(kind, status)] += 1
            if problem:
                self.problem_count += 1
                if len(self.problems) < 20:
                    self.problems.append(f"{kind}: {problem}")


def client_loop(seed, port, reference, deadline, tally):
    rng = random.Random(seed)
    client = Client(port)
    kinds, weights = list(KINDS), [weight for weight, _ in KINDS.values()]
    while time.time() < deadline and tally.take_ticket():
        kind = rng.choices(kinds, weights)[0]
        expected = KINDS[kind][1]
        try:
            if expected is None:
                cut_connection(kind, port, reference)
                tally.record(kind, "cut")
            elif expected == 200:
                status, problem = send_valid(kind, client, reference, rng)
                tally.record(kind, status, problem if status == 200 else f"status {status}: {problem}")
            else:
                status = send_invalid(kind, client, port, reference)
                tally.record(kind, status, None if status == expected else f"status {status}, want {expected}")
        except (OSError, http.client.HTTPException) as e:
            tally.record(kind, "dropped", f"{type(e).__name__}: {e}")
        if rng.random() < 0.02:
            client.close()  # a fresh connection now and then, as real clients make
    client.close()


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for pid {pid}")


def sample_rss(pid, interval, stop, series, started):
    while not stop.wait(interval):
        series.append((time.time() - started, rss_mib(pid)))


def check_rss(series, warmup_seconds):
    print("RSS (s, MiB):", " ".join(f"{t:.0f}:{m:.1f}" for t, m in series))
    after = [(t, m) for t, m in series if t >= warmup_seconds]
    check(len(after) >= 3, f"only {len(after)} RSS samples after the {warmup_seconds:.0f} s warm-up")
    if len(after) < 3:
        return
    baseline = after[0][1]
    highest = max(m for _, m in after)
    lowest = min(m for _, m in after)
    print(f"RSS after warm-up: first {baseline:.1f} MiB, last {after[-1][1]:.1f} MiB, "
          f"min {lowest:.1f}, max {highest:.1f} ({100 * (highest / baseline - 1):+.1f}% at most)")
    check(highest <= baseline * (1 + RSS_TOLERANCE) and lowest >= baseline * (1 - RSS_TOLERANCE),
          f"RSS moved more than {RSS_TOLERANCE:.0%} from {baseline:.1f} MiB after warm-up: {lowest:.1f}..{highest:.1f}")


def check_tally(tally):
    print("requests by kind and status:")
    for kind, (_, expected) in KINDS.items():
        seen = {status: n for (k, status), n in tally.statuses.items() if k == kind}
        print(f"  {kind:18} want {expected or 'cut':4} got {seen}")
        wanted = "cut" if expected is None else expected
        check(set(seen) <= {wanted}, f"{kind}: statuses {seen}, want only {wanted}")
    total = sum(tally.statuses.values())
    valid = sum(n for (k, _), n in tally.statuses.items() if KINDS[k][1] == 200)
    print(f"total {total} requests, {valid} valid")
    check(all(isinstance(s, str) or s < 500 for (_, s) in tally.statuses), "a 5xx answer")
    check(valid > 0 and all(n > 0 for n in Counter(k for k, _ in tally.statuses).values()), "every kind was sent")
    for problem in tally.problems:
        print("  problem:", problem)
    check(tally.problem_count == 0, f"{tally.problem_count} requests did not get their expected answer")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("build")
    parser.add_argument("--duration", type=float, default=600, help="seconds of load (default 600)")
    parser.add_argument("--max-requests", type=int, default=2_000_000, help="stop after this many requests")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client threads")
    parser.add_argument("--rss-interval", type=float, default=5, help="seconds between RSS samples")
    args = parser.parse_args()
    # Warm-up: the allocator's arenas and the engine's plans for each batch size settle first.
    warmup_seconds = max(10.0, args.duration * 0.1)

    work = tempfile.mkdtemp(prefix="infera_serve_soak_")
    reference = Reference(args.build, work)
    repository = os.path.join(work, "repo")
    add_model(repository, "fashion", 1, FASHION_MODEL,
              {"max_batch_size": 8, "max_queue_delay_us": 1000, "pipeline": "pipeline.json"}, FASHION_SPEC)
    server = Server(args.build, repository, "--max-request-mib", str(MAX_REQUEST_MIB), "--log-level", "warn")
    tally = Tally(args.max_requests)
    series, stop = [], threading.Event()
    started = time.time()
    series.append((0.0, rss_mib(server.process.pid)))
    sampler = threading.Thread(target=sample_rss, args=(server.process.pid, args.rss_interval, stop, series, started))
    sampler.start()
    try:
        deadline = started + args.duration
        clients = [threading.Thread(target=client_loop, args=(seed, server.port, reference, deadline, tally))
                   for seed in range(args.clients)]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join(args.duration + 120)
        check(not any(thread.is_alive() for thread in clients), "a client thread is stuck")
        stop.set()
        sampler.join()
        elapsed = time.time() - started
        print(f"{args.clients} clients for {elapsed:.0f} s")
        check_tally(tally)
        check_rss(series, warmup_seconds)
        status, answer = server.json("GET", "/v2/health/ready")
        check(status == 200, f"ready after the soak: {status} {answer}")
    finally:
        stop.set()
        code = server.stop()
    check(code == 0, f"exit code after SIGTERM: {code}")
    finish("serve soak")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

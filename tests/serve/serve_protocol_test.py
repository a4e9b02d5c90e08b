#!/usr/bin/env python3
"""KServe v2 protocol tests for `infera serve`, driven from outside the process with the
Python standard library over 127.0.0.1. Every endpoint, JSON and binary tensors, every
datatype, the classification extension, statistics, metrics, repository control, chunked
bodies, keep-alive, cancellation, every error status, and SIGTERM with a request in flight.
Outputs are compared with `infera run` on the same inputs (and numpy for top-k).

  serve_protocol_test.py BUILD_DIR
"""
import json
import os
import shutil
import socket
import struct
import sys
import tempfile
import threading
import time

import numpy as np
import onnx
from onnx import TensorProto, helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_harness import (check, finish, FASHION_MODEL, FASHION_SPEC, Server, add_model, fashion_images,  # noqa: E402
                           image_request, infera_run, split_binary, wait_until, wait_until_queued)

LABELS = json.load(open(FASHION_SPEC))["labels"]
V2_TYPES = {  # v2 datatype -> (ONNX type, numpy dtype)
    "BOOL": (TensorProto.BOOL, np.bool_), "UINT8": (TensorProto.UINT8, np.uint8),
    "UINT16": (TensorProto.UINT16, np.uint16), "UINT32": (TensorProto.UINT32, np.uint32),
    "UINT64": (TensorProto.UINT64, np.uint64), "INT8": (TensorProto.INT8, np.int8),
    "INT16": (TensorProto.INT16, np.int16), "INT32": (TensorProto.INT32, np.int32),
    "INT64": (TensorProto.INT64, np.int64), "FP16": (TensorProto.FLOAT16, np.float16),
    "FP32": (TensorProto.FLOAT, np.float32), "FP64": (TensorProto.DOUBLE, np.float64),
    "BYTES": (TensorProto.STRING, object),
}
def make_types_model(path):
    """One Identity per v2 datatype: what goes in must come back unchanged."""
    nodes, inputs, outputs = [], [], []
    for name, (onnx_type, _) in V2_TYPES.items():
        inputs.append(helper.make_tensor_value_info(f"in_{name}", onnx_type, ["batch", 3]))
        outputs.append(helper.make_tensor_value_info(f"out_{name}", onnx_type, ["batch", 3]))
        nodes.append(helper.make_node("Identity", [f"in_{name}"], [f"out_{name}"]))
    graph = helper.make_graph(nodes, "types", inputs, outputs)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)


def make_batch_sum_model(path):
    """Sums over dim 0: its output does not follow the batch, so batching two requests fails (500)."""
    node = helper.make_node("ReduceSum", ["x", "axes"], ["y"], keepdims=1)
    graph = helper.make_graph([node], "batch_sum", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
                              [helper.make_tensor("axes", TensorProto.INT64, [1], [0])])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)


def make_test_repository(work):
    """The models the protocol tests serve: fashion (with its spec), slow (long batching delay),
    tiny_queue (room for one request), types (one Identity per v2 datatype) and batch_sum (an
    output that does not follow the batch)."""
    repository = os.path.join(work, "repo")
    add_model(repository, "fashion", 1, FASHION_MODEL,
              {"max_batch_size": 8, "max_queue_delay_us": 20000, "pipeline": "pipeline.json"}, FASHION_SPEC)
    add_model(repository, "slow", 1, FASHION_MODEL,
              {"max_batch_size": 8, "max_queue_delay_us": 400000, "warmup": {"batch_sizes": [1]}})
    add_model(repository, "tiny_queue", 1, FASHION_MODEL, {"max_queue_size": 1, "warmup": False})
    types_path = os.path.join(work, "types.onnx")
    make_types_model(types_path)
    add_model(repository, "types", 1, types_path, {"max_batch_size": 4})
    sum_path = os.path.join(work, "batch_sum.onnx")
    make_batch_sum_model(sum_path)
    add_model(repository, "batch_sum", 1, sum_path, {"max_batch_size": 4, "max_queue_delay_us": 300000,
                                                     "warmup": False})
    return repository


def test_health_and_metadata(server):
    check(server.json("GET", "/v2/health/live") == (200, {"live": True}), "live")
    check(server.json("GET", "/v2/health/ready") == (200, {"ready": True}), "ready")
    status, meta = server.json("GET", "/v2")
    check(status == 200 and meta["name"] == "infera" and "binary_tensor_data" in meta["extensions"]
          and "classification" in meta["extensions"], f"server metadata {meta}")
    status, meta = server.json("GET", "/v2/models/fashion")
    check(status == 200 and meta["versions"] == ["1"] and meta["inputs"] ==
          [{"name": "image", "datatype": "FP32", "shape": [-1, 1, 28, 28]}] and meta["outputs"][0]["datatype"] == "FP32",
          f"model metadata {meta}")
    check(server.json("GET", "/v2/models/fashion/versions/1")[1] == meta, "versioned metadata")
    check(server.json("GET", "/v2/models/fashion/ready")[0] == 200, "model ready")
    check(server.json("GET", "/v2/models/fashion/versions/1/ready")[0] == 200, "versioned ready")


def test_infer_json_and_binary(server, build, work):
    images = fashion_images(6)
    expected = infera_run(build, FASHION_MODEL, images, os.path.join(work, "run6"))
    status, answer = server.json("POST", "/v2/models/fashion/infer",
                                 {"id": "r1", "inputs": [{"name": "image", "datatype": "FP32", "shape": [6, 1, 28, 28],
                                                          "data": images.reshape(-1).tolist()}]})
    check(status == 200, f"JSON infer status {status} {answer}")
    output = answer["outputs"][0]
    got = np.array(output["data"], dtype=np.float32).reshape(output["shape"])
    check(answer["id"] == "r1" and answer["model_name"] == "fashion" and answer["model_version"] == "1", "infer ids")
    check(output["datatype"] == "FP32" and got.shape == expected.shape, f"output {output['shape']}")
    check(np.array_equal(got, expected), f"JSON outputs differ from infera run by {np.abs(got - expected).max()}")

    status, answer = server.json("POST", "/v2/models/fashion/versions/1/infer",
                                 {"inputs": [{"name": "image", "datatype": "FP32", "shape": [6, 1, 28, 28],
                                              "data": images.tolist()}]})  # nested lists
    check(status == 200 and np.array_equal(np.array(answer["outputs"][0]["data"], np.float32).reshape(6, 10), expected),
          "nested JSON data")

    body, headers = image_request(images, binary=True, binary_data_output=True)
    status, response_headers, payload = server.request("POST", "/v2/models/fashion/infer", body, headers)
    check(status == 200, f"binary infer status {status} {payload[:200]}")
    header, raw = split_binary(response_headers, payload)
    size = header["outputs"][0]["parameters"]["binary_data_size"]
    got = np.frombuffer(raw[:size], dtype=np.float32).reshape(header["outputs"][0]["shape"])
    check(size == expected.nbytes and np.array_equal(got, expected), "binary in, binary out")

    # Per-output binary_data, and JSON input with binary output.
    output_name = header["outputs"][0]["name"]
    body, headers = image_request(images, outputs=[{"name": output_name, "parameters": {"binary_data": True}}])
    status, response_headers, payload = server.request("POST", "/v2/models/fashion/infer", body, headers)
    header, raw = split_binary(response_headers, payload)
    check(status == 200 and np.array_equal(np.frombuffer(raw, np.float32).reshape(6, 10), expected),
          "output parameters.binary_data")

    # Classification: "score:index:label", best first, as numpy's sort of the same logits.
    body, headers = image_request(images, outputs=[{"name": output_name, "parameters": {"classification": 3}}])
    status, answer = server.json("POST", "/v2/models/fashion/infer", json.loads(body))
    check(status == 200 and answer["outputs"][0]["datatype"] == "BYTES" and answer["outputs"][0]["shape"] == [6, 3],
          f"classification shape {answer}")
    for row in range(6):
        for rank, text in enumerate(answer["outputs"][0]["data"][row * 3:row * 3 + 3]):
            score, index, label = text.split(":", 2)
            want = int(np.argsort(-expected[row], kind="stable")[rank])
            check(int(index) == want and label == LABELS[want] and np.float32(score) == expected[row][want],
                  f"classification row {row} rank {rank}: {text}, want index {want}")
    return expected


def test_datatypes(server):
    for name, (_, dtype) in V2_TYPES.items():
        if name == "BYTES":
            values = np.array([["a", "bc", ""], ["ü", "x y", "z"]], dtype=object)
            json_data = values.reshape(-1).tolist()
        elif name == "BOOL":
            values = np.array([[True, False, True], [False, False, True]])
            json_data = values.reshape(-1).tolist()
        else:
            info = np.finfo(dtype) if np.issubdtype(dtype, np.floating) else np.iinfo(dtype)
            values = np.array([[info.min, info.max, 1], [0, 2, 3]], dtype=dtype)
            if name == "FP16":
                values[1, 0] = np.float16(0.1)
            json_data = values.reshape(-1).tolist()
        spec = {"name": f"in_{name}", "datatype": name, "shape": [2, 3], "data": json_data}
        others = [{"name": f"in_{n}", "datatype": n, "shape": [2, 3],
                   "data": (["q"] * 6 if n == "BYTES" else [False] * 6 if n == "BOOL" else [0] * 6)}
                  for n in V2_TYPES if n != name]
        status, answer = server.json("POST", "/v2/models/types/infer", {"inputs": [spec] + others,
                                                                        "outputs": [{"name": f"out_{name}"}]})
        check(status == 200, f"{name} JSON: {status} {answer}")
        if status != 200:
            continue
        output = answer["outputs"][0]
        got = np.array(output["data"], dtype=dtype).reshape(2, 3)
        check(output["datatype"] == name and np.array_equal(got, values), f"{name} JSON round trip: {got} vs {values}")
        # The same through the binary extension.
        if name == "BYTES":
            raw = b"".join(struct.pack("<I", len(s.encode())) + s.encode() for s in values.reshape(-1))
        else:
            raw = values.tobytes()
        spec = {"name": f"in_{name}", "datatype": name, "shape": [2, 3], "parameters": {"binary_data_size": len(raw)}}
        header = json.dumps({"inputs": [spec] + others, "outputs": [{"name": f"out_{name}", "parameters": {"binary_data": True}}]}).encode()
        status, headers, payload = server.request("POST", "/v2/models/types/infer", header + raw,
                                                  {"Inference-Header-Content-Length": str(len(header))})
        check(status == 200, f"{name} binary: {status} {payload[:200]}")
        if status == 200:
            _, back = split_binary(headers, payload)
            check(back == raw, f"{name} binary round trip")


def test_errors(server):
    def status_of(method, path, body=None, headers=None):
        status, response_headers, payload = server.request(method, path, body, headers)
        error = json.loads(payload).get("error", "") if payload else ""
        check(status < 400 or error, f"{method} {path}: {status} without an error message")
        return status, error

    good = fashion_images(1)
    cases = [
        ("unknown model", "POST", "/v2/models/nope/infer", image_request(good)[0], 404),
        ("unknown version", "GET", "/v2/models/fashion/versions/7", None, 404),
        ("unknown route", "GET", "/v3/health", None, 404),
        ("wrong method", "GET", "/v2/models/fashion/infer", None, 405),
        ("not JSON", "POST", "/v2/models/fashion/infer", b"{inputs:", 400),
        ("no inputs", "POST", "/v2/models/fashion/infer", b"{}", 400),
        ("wrong datatype", "POST", "/v2/models/fashion/infer",
         json.dumps({"inputs": [{"name": "image", "datatype": "INT32", "shape": [1, 1, 28, 28], "data": [0] * 784}]}).encode(), 400),
        ("wrong shape", "POST", "/v2/models/fashion/infer",
         json.dumps({"inputs": [{"name": "image", "datatype": "FP32", "shape": [1, 1, 28, 27], "data": [0] * 756}]}).encode(), 400),
        ("too little data", "POST", "/v2/models/fashion/infer",
         json.dumps({"inputs": [{"name": "image", "datatype": "FP32", "shape": [1, 1, 28, 28], "data": [0] * 783}]}).encode(), 400),
        ("unknown input", "POST", "/v2/models/fashion/infer",
         json.dumps({"inputs": [{"name": "pixels", "datatype": "FP32", "shape": [1], "data": [0]}]}).encode(), 400),
        ("unknown output", "POST", "/v2/models/fashion/infer", image_request(good, outputs=[{"name": "nope"}])[0], 400),
        ("over max_batch_size", "POST", "/v2/models/fashion/infer", image_request(fashion_images(9))[0], 400),
        ("binary size mismatch", "POST", "/v2/models/fashion/infer", None, 400),
        ("load a missing folder", "POST", "/v2/repository/models/nope/load", b"", 404),
    ]
    for what, method, path, body, want in cases:
        headers = {}
        if what == "binary size mismatch":
            body, headers = image_request(good, binary=True)
            body = body[:-4]
        status, error = status_of(method, path, body, headers)
        check(status == want, f"{what}: status {status}, want {want} ({error})")

    # A request timeout that has passed before the batch runs: 503.
    body, _ = image_request(good, timeout=1)
    check(status_of("POST", "/v2/models/slow/infer", body)[0] == 503, "expired request timeout gives 503")

    # A bounded queue: with room for one request, a burst gets some 503s and no other failure.
    statuses = []
    body, headers = image_request(np.repeat(fashion_images(8), 32, axis=0), binary=True)

    def send():
        statuses.append(server.request("POST", "/v2/models/tiny_queue/infer", body, headers)[0])
    threads = [threading.Thread(target=send) for _ in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    check(503 in statuses and set(statuses) <= {200, 503}, f"queue full: statuses {sorted(set(statuses))}")

    # An output that does not follow the batch: two batched requests cannot be split (500).
    one = json.dumps({"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 4], "data": [1, 2, 3, 4]}]}).encode()
    results = []
    threads = [threading.Thread(target=lambda: results.append(status_of("POST", "/v2/models/batch_sum/infer", one)[0]))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    check(results == [500, 500], f"unsplittable batch: {results}")
    status, answer = server.json("POST", "/v2/models/batch_sum/infer", json.loads(one))
    check(status == 200 and answer["outputs"][0]["data"] == [1, 2, 3, 4], f"batch_sum alone: {answer}")


def test_transport(server, expected):
    images = fashion_images(6)
    body, headers = image_request(images, binary=True, binary_data_output=True)
    # Keep-alive: three requests on one connection, the same socket throughout.
    connection = server.connect()
    connection.request("GET", "/v2/health/live")
    connection.getresponse().read()
    sock = connection.sock
    for _ in range(2):
        connection.request("POST", "/v2/models/fashion/infer", body, headers)
        response = connection.getresponse()
        payload = response.read()
        check(response.status == 200 and connection.sock is sock, "keep-alive reuses the connection")
    # Chunked request body.
    chunks = (body[i:i + 1000] for i in range(0, len(body), 1000))
    connection.request("POST", "/v2/models/fashion/infer", chunks, dict(headers, **{"Transfer-Encoding": "chunked"}),
                       encode_chunked=True)
    response = connection.getresponse()
    header, raw = split_binary({k.lower(): v for k, v in response.getheaders()}, response.read())
    check(response.status == 200 and np.array_equal(np.frombuffer(raw, np.float32).reshape(6, 10), expected),
          "chunked request body")
    connection.close()
    # Expect: 100-continue, as curl sends for large bodies.
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    head = ("POST /v2/models/fashion/infer HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
            f"Inference-Header-Content-Length: {headers['Inference-Header-Content-Length']}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    sock.sendall(head)
    interim = sock.recv(64)
    check(interim.startswith(b"HTTP/1.1 100 Continue"), f"100-continue: {interim!r}")
    sock.sendall(body)
    reply = b""
    while chunk := sock.recv(65536):
        reply += chunk
    check(reply.startswith(b"HTTP/1.1 200"), "answer after 100-continue")
    sock.close()


def test_limits(build, work):
    """A body over --max-request-mib gets 413; a request that stalls gets 408."""
    repository = os.path.join(work, "limits_repo")
    add_model(repository, "fashion", 1, FASHION_MODEL, {"max_batch_size": 8})
    server = Server(build, repository, "--max-request-mib", "1", "--read-timeout-ms", "500", "--log-level", "warn")
    try:
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        sock.sendall(b"POST /v2/models/fashion/infer HTTP/1.1\r\nContent-Length: 2097152\r\n\r\n")
        reply = sock.recv(4096)
        check(reply.startswith(b"HTTP/1.1 413") and b"over the limit" in reply, f"size limit: {reply[:80]!r}")
        sock.close()
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        sock.sendall(b"POST /v2/models/fashion/infer HTTP/1.1\r\nContent-Length: 100\r\n\r\n{")
        reply = sock.recv(4096)
        check(reply.startswith(b"HTTP/1.1 408"), f"read timeout: {reply[:40]!r}")
        sock.close()
    finally:
        check(server.stop() == 0, "limits server exit code")


def stats_of(server, model):
    return server.json("GET", f"/v2/models/{model}/stats")[1]["model_stats"][0]


def test_batching_and_determinism(server, build, work):
    """Concurrent single-image requests are batched; each answer equals the image run alone."""
    images = fashion_images(16)
    alone = np.concatenate([infera_run(build, FASHION_MODEL, images[i:i + 1], os.path.join(work, f"alone{i}"))
                            for i in range(16)])
    before = stats_of(server, "fashion")
    answers = {}

    def send(i):
        body, headers = image_request(images[i:i + 1], binary=True, binary_data_output=True)
        status, response_headers, payload = server.request("POST", "/v2/models/fashion/infer", body, headers)
        answers[i] = np.frombuffer(split_binary(response_headers, payload)[1], np.float32) if status == 200 else None
    threads = [threading.Thread(target=send, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    after = stats_of(server, "fashion")
    batched = sum(b["compute_infer"]["count"] for b in after["batch_stats"] if b["batch_size"] > 1)
    batched -= sum(b["compute_infer"]["count"] for b in before["batch_stats"] if b["batch_size"] > 1)
    check(batched > 0, f"no batch of more than one request formed: {after['batch_stats']}")
    for i in range(16):
        ok = answers.get(i) is not None and np.array_equal(answers[i], alone[i])
        check(ok, f"image {i}: batched answer differs from its lone run"
                  + ("" if answers.get(i) is None else f" by {np.abs(answers[i] - alone[i]).max()}"))
    check(after["inference_count"] - before["inference_count"] == 16, "inference_count counts samples")


def test_overflow_cuts_the_batch(server):
    """The batcher gathers for up to 400 ms on "slow" (max_batch_size 8). A request of 5 rows,
    then one of 4 that cannot join it: the first batch runs at once, not when the delay ends."""
    latencies = {}

    def send(rows):
        body, headers = image_request(fashion_images(rows), binary=True)
        started = time.monotonic()
        status = server.request("POST", "/v2/models/slow/infer", body, headers)[0]
        latencies[rows] = (status, time.monotonic() - started)
    first = threading.Thread(target=send, args=(5,))
    first.start()
    wait_until_queued(server, "slow")
    send(4)
    first.join(30)
    check(latencies[5][0] == 200 and latencies[4][0] == 200, f"overflow statuses {latencies}")
    # The 4-row request waits out the delay alone; the 5-row one is cut loose when it arrives.
    check(latencies[5][1] < 0.3, f"the 5-row batch waited {latencies[5][1]:.3f} s for a request that could not join it")
    check(latencies[4][1] >= 0.35, f"the 4-row request did not wait for batch mates: {latencies[4][1]:.3f} s")


def test_cancellation(server):
    """A client that leaves while its request waits for batch mates: the request is not run."""
    before = stats_of(server, "slow")
    body, _ = image_request(fashion_images(1))
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.sendall(f"POST /v2/models/slow/infer HTTP/1.1\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
    wait_until_queued(server, "slow")
    sock.close()
    wait_until(lambda: stats_of(server, "slow")["inference_stats"]["fail"]["count"] > before["inference_stats"]["fail"]["count"],
               10, "the abandoned request to be dropped")
    after = stats_of(server, "slow")
    check(after["execution_count"] == before["execution_count"], "an abandoned request was run anyway")


def test_stats_metrics_repository(server):
    stats = stats_of(server, "fashion")
    check(stats["inference_stats"]["success"]["count"] > 0 and stats["execution_count"] > 0
          and stats["inference_stats"]["compute_infer"]["ns"] > 0, f"stats {stats}")
    status, every = server.json("GET", "/v2/models/stats")
    check(status == 200 and {m["name"] for m in every["model_stats"]} == {"fashion", "slow", "tiny_queue", "types", "batch_sum"},
          f"/v2/models/stats lists {[m['name'] for m in every['model_stats']]}")
    status, headers, text = server.request("GET", "/metrics")
    text = text.decode()
    for needle in ['infera_requests_total{model="fashion",version="1",outcome="success"}',
                   'infera_batch_size_bucket{model="fashion",version="1",le="+Inf"}', "infera_queue_seconds_total",
                   "infera_compute_seconds_total", "infera_http_in_flight 1", 'infera_http_responses_total{code="200"}',
                   "# TYPE infera_batch_size histogram"]:
        check(needle in text, f"/metrics lacks {needle}")
    status, index = server.json("POST", "/v2/repository/index")
    check(status == 200 and {"name": "fashion", "version": "1", "state": "READY", "reason": ""} in index, f"index {index}")
    check(server.json("POST", "/v2/repository/models/types/unload")[0] == 200, "unload")
    check(server.json("GET", "/v2/models/types")[0] == 404, "unloaded model is gone")
    check(server.json("POST", "/v2/repository/models/types/unload")[0] == 400, "unload twice")
    check(server.json("POST", "/v2/repository/models/types/load")[0] == 200, "load")
    check(server.json("GET", "/v2/models/types/ready")[0] == 200, "loaded again")


def test_graceful_shutdown(server):
    """SIGTERM while a request waits in the queue: it is answered, then the server exits 0."""
    body, _ = image_request(fashion_images(1))
    result = {}

    def send():
        result["status"] = server.request("POST", "/v2/models/slow/infer", body)[0]
    thread = threading.Thread(target=send)
    thread.start()
    wait_until_queued(server, "slow")
    code = server.stop()
    thread.join(30)
    check(result.get("status") == 200, f"in-flight request at SIGTERM: {result}")
    check(code == 0, f"exit code after SIGTERM: {code}")


def main():
    build = sys.argv[1]
    work = tempfile.mkdtemp(prefix="infera_serve_test_")
    repository = make_test_repository(work)
    server = Server(build, repository, "--log-level", "info")
    try:
        test_health_and_metadata(server)
        expected = test_infer_json_and_binary(server, build, work)
        test_datatypes(server)
        test_errors(server)
        test_transport(server, expected)
        test_batching_and_determinism(server, build, work)
        test_overflow_cuts_the_batch(server)
        test_cancellation(server)
        test_stats_metrics_repository(server)
        test_graceful_shutdown(server)
        log = [json.loads(line) for line in server.log_text().splitlines() if line.startswith("{")]
        access = [entry for entry in log if entry.get("message") == "access"]
        check(access and all({"method", "path", "status", "duration_ms"} <= set(e) for e in access),
              "access log lines are JSON with method, path, status, duration_ms")
    finally:
        if server.process.poll() is None:
            server.process.kill()
    test_limits(build, work)
    finish("serve protocol")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Shared pieces of the `infera serve` tests: a model repository in a temporary folder, a
server started on 127.0.0.1 with an ephemeral port, HTTP helpers (standard library only),
and Fashion-MNIST test images read from Debian's IDX files."""
import gzip
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FASHION_MODEL = os.path.join(ROOT, "models/fashion_mnist/fashion_mnist_cnn.onnx")
FASHION_SPEC = os.path.join(ROOT, "models/fashion_mnist/fashion_mnist_cnn.pipeline.json")
FASHION_IMAGES = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"

failures = []
checks = [0]


def check(condition, message):
    """Counts one check; a failed one is printed and remembered, and finish() exits non-zero."""
    checks[0] += 1
    if not condition:
        failures.append(message)
        print("FAIL:", message)


def finish(suite):
    if failures:
        sys.exit(f"{len(failures)} failures")
    print(f"{suite}: all {checks[0]} checks passed")


def fashion_images(count):
    """The first `count` test images as float32 [count, 1, 28, 28] in [0, 1] (ToTensor)."""
    with gzip.open(FASHION_IMAGES, "rb") as f:
        data = f.read(16 + 784 * count)
    pixels = np.frombuffer(data[16:], dtype=np.uint8).reshape(count, 1, 28, 28)
    return pixels.astype(np.float32) / np.float32(255)


def add_model(repository, name, version, onnx_path, config=None, spec=None):
    folder = os.path.join(repository, name, str(version))
    os.makedirs(folder, exist_ok=True)
    shutil.copyfile(onnx_path, os.path.join(folder, "model.onnx"))
    if spec:
        shutil.copyfile(spec, os.path.join(repository, name, "pipeline.json"))
    if config is not None:
        with open(os.path.join(repository, name, "config.json"), "w") as f:
            json.dump(config, f)


def image_request(images, binary=False, outputs=None, **parameters):
    """A v2 infer body for `images` ([n, 1, 28, 28] float32) and its headers: JSON data, or the
    binary tensor extension; `parameters` go in the request's "parameters"."""
    if binary:
        header = {"inputs": [{"name": "image", "datatype": "FP32", "shape": list(images.shape),
                              "parameters": {"binary_data_size": images.nbytes}}]}
    else:
        header = {"inputs": [{"name": "image", "datatype": "FP32", "shape": list(images.shape),
                              "data": images.reshape(-1).tolist()}]}
    if outputs is not None:
        header["outputs"] = outputs
    if parameters:
        header["parameters"] = parameters
    text = json.dumps(header).encode()
    if not binary:
        return text, {"Content-Type": "application/json"}
    return text + images.tobytes(), {"Inference-Header-Content-Length": str(len(text)),
                                     "Content-Type": "application/octet-stream"}


def split_binary(headers, body):
    """(JSON header, raw bytes) of a binary-extension answer; `headers` with lower-case names."""
    length = int(headers["inference-header-content-length"])
    return json.loads(body[:length]), body[length:]


class Server:
    """`infera serve` as a child process; stop() sends SIGTERM and returns the exit code."""

    def __init__(self, build, repository, *extra):
        self.log_path = repository.rstrip("/") + ".server.log"
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [os.path.join(build, "infera"), "serve", "--model-repository", repository, "--port", "0",
             *(() if "--grpc-port" in extra else ("--grpc-port", "0")), *extra], stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.process.stdout.readline()  # printed once every model is warm and it listens
        if "listening on" not in line:
            self.process.kill()
            raise SystemExit(f"server did not start: {line!r}; log: {open(self.log_path).read()[-2000:]}")
        self.port = int(line.strip().rsplit(":", 1)[1])

    def connect(self, timeout=30):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, timeout=30):
        """(status, headers dict with lower-case names, body bytes) on a fresh connection."""
        connection = self.connect(timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()

    def json(self, method, path, document=None, timeout=30):
        body = None if document is None else json.dumps(document).encode()
        status, _, payload = self.request(method, path, body, {"Content-Type": "application/json"}, timeout)
        return status, json.loads(payload) if payload else None

    def stop(self, timeout=30):
        self.process.terminate()
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = "killed after timeout"
        self.log.close()
        return code

    def log_text(self):
        if not self.log.closed:
            self.log.flush()
        return open(self.log_path).read()


def infera_run(build, model, array, workdir):
    """`infera run` on one float32 NPY input; returns the first output."""
    os.makedirs(workdir, exist_ok=True)
    path = os.path.join(workdir, "input.npy")
    np.save(path, array)
    out = os.path.join(workdir, "out")
    subprocess.run([os.path.join(build, "infera"), "run", model, "--input", path, "--output-dir", out],
                   check=True, capture_output=True)
    (name,) = [n for n in os.listdir(out) if n.endswith(".npy")]
    return np.load(os.path.join(out, name))


def wait_until_queued(server, model, count=1, seconds=30):
    """Until `count` requests to `model` are queued or running (the in-flight gauge of /metrics).
    A test that must act while a request waits cannot rely on a fixed sleep: on a loaded machine
    the request may not have reached the server yet."""
    pattern = re.compile(r'^infera_requests_in_flight\{[^}]*model="%s"[^}]*\} (\d+)' % re.escape(model), re.M)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = pattern.search(server.request("GET", "/metrics")[2].decode())
        if found and int(found.group(1)) >= count:
            return
        time.sleep(0.01)
    raise AssertionError(f"timed out after {seconds} s waiting for {count} request(s) to {model} to be queued")


def wait_until(predicate, seconds, what):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")

#!/usr/bin/env python3
"""KServe v2 gRPC tests for `infera serve --grpc-port`, driven from outside the process with
Debian's grpcio and messages generated from src/serve/proto/kserve_v2.proto by protoc at test
time. Every RPC, raw and typed tensor contents for every datatype, outputs bitwise equal to
`infera run` on the Fashion-MNIST model (alone and dynamically batched), the classification
extension, every error code, and SIGTERM with a call in flight.

  serve_grpc_test.py BUILD_DIR
"""
import importlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import grpc
import numpy as np
import onnx
from onnx import helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_harness import (check, finish, FASHION_MODEL, ROOT, Server, add_model, fashion_images,  # noqa: E402
                           infera_run, wait_until_queued)
from serve_protocol_test import LABELS, V2_TYPES, make_test_repository  # noqa: E402

SERVICE = "/inference.GRPCInferenceService/"
RPCS = ["ServerLive", "ServerReady", "ModelReady", "ServerMetadata", "ModelMetadata", "ModelInfer"]
TYPED_FIELD = {"BOOL": "bool_contents", "UINT8": "uint_contents", "UINT16": "uint_contents",
               "UINT32": "uint_contents", "UINT64": "uint64_contents", "INT8": "int_contents",
               "INT16": "int_contents", "INT32": "int_contents", "INT64": "int64_contents",
               "FP32": "fp32_contents", "FP64": "fp64_contents", "BYTES": "bytes_contents"}
def generate_messages(work):
    """protoc --python_out: the messages only; calls go through grpcio's generic stubs."""
    subprocess.run(["protoc", "-I", os.path.join(ROOT, "src/serve/proto"), f"--python_out={work}",
                    "kserve_v2.proto"], check=True)
    sys.path.insert(0, work)
    return importlib.import_module("kserve_v2_pb2")


class Client:
    def __init__(self, pb, port):
        self.pb = pb
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}", options=[
            ("grpc.max_receive_message_length", -1), ("grpc.max_send_message_length", -1)])
        self.stubs = {name: self.channel.unary_unary(
            SERVICE + name, request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=getattr(pb, name + "Response").FromString) for name in RPCS}

    def call(self, rpc, **fields):
        return self.stubs[rpc](getattr(self.pb, rpc + "Request")(**fields), timeout=60)

    def infer(self, request):
        return self.stubs["ModelInfer"](request, timeout=60)

    def code_of(self, rpc, request):
        """The status code of a call (OK or the error's) and its details."""
        try:
            self.stubs[rpc](request, timeout=60)
            return grpc.StatusCode.OK, ""
        except grpc.RpcError as error:
            return error.code(), error.details()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def image_request(pb, images, raw=True, model="fashion", outputs=(), **parameters):
    request = pb.ModelInferRequest(model_name=model, id="req-7")
    tensor = request.inputs.add(name="image", datatype="FP32", shape=list(images.shape))
    if raw:
        request.raw_input_contents.append(images.astype("<f4").tobytes())
    else:
        tensor.contents.fp32_contents.extend(images.reshape(-1).tolist())
    for name, k in outputs:
        wanted = request.outputs.add(name=name)
        if k:
            wanted.parameters["classification"].int64_param = k
    for key, value in parameters.items():
        if isinstance(value, bool):
            request.parameters[key].bool_param = value
        else:
            request.parameters[key].int64_param = value
    return request


def logits_of(response):
    output = response.outputs[0]
    if response.raw_output_contents:
        data = np.frombuffer(response.raw_output_contents[0], dtype="<f4")
    else:
        data = np.array(output.contents.fp32_contents, dtype=np.float32)
    return data.reshape(list(output.shape))


def test_health_and_metadata(client):
    check(client.call("ServerLive").live, "ServerLive: live")
    check(client.call("ServerReady").ready, "ServerReady: ready")
    metadata = client.call("ServerMetadata")
    check(metadata.name == "infera" and metadata.version and "classification" in metadata.extensions,
          f"ServerMetadata: {metadata}")
    check(client.call("ModelReady", name="fashion").ready, "ModelReady fashion")
    check(client.call("ModelReady", name="fashion", version="1").ready, "ModelReady fashion version 1")
    check(not client.call("ModelReady", name="fashion", version="9").ready, "ModelReady wrong version: not ready")
    check(not client.call("ModelReady", name="nope").ready, "ModelReady unknown model: not ready")
    model = client.call("ModelMetadata", name="fashion")
    check(model.name == "fashion" and list(model.versions) == ["1"] and model.platform == "onnx",
          f"ModelMetadata names: {model}")
    check([(t.name, t.datatype, list(t.shape)) for t in model.inputs] == [("image", "FP32", [-1, 1, 28, 28])],
          f"ModelMetadata inputs: {model.inputs}")
    check([(t.name, t.datatype, list(t.shape)) for t in model.outputs] == [("logits", "FP32", [-1, 10])],
          f"ModelMetadata outputs: {model.outputs}")
    pb = client.pb
    code, _ = client.code_of("ModelMetadata", pb.ModelMetadataRequest(name="nope"))
    check(code == grpc.StatusCode.NOT_FOUND, f"ModelMetadata unknown model: {code}")
    code, _ = client.code_of("ModelMetadata", pb.ModelMetadataRequest(name="fashion", version="2"))
    check(code == grpc.StatusCode.NOT_FOUND, f"ModelMetadata wrong version: {code}")


def test_infer(server, client, build, work):
    pb = client.pb
    images = fashion_images(6)
    expected = infera_run(build, FASHION_MODEL, images, os.path.join(work, "run6"))
    raw = client.infer(image_request(pb, images))
    check(raw.model_name == "fashion" and raw.model_version == "1" and raw.id == "req-7",
          f"ModelInfer names the model, version and id: {raw.model_name} {raw.model_version} {raw.id}")
    check(len(raw.raw_output_contents) == 1 and not raw.outputs[0].HasField("contents"),
          "raw inputs give raw_output_contents")
    check(raw.outputs[0].name == "logits" and raw.outputs[0].datatype == "FP32", f"output: {raw.outputs[0]}")
    check(np.array_equal(logits_of(raw), expected), "raw contents: bitwise equal to infera run")

    typed = client.infer(image_request(pb, images, raw=False))
    check(not typed.raw_output_contents and len(typed.outputs[0].contents.fp32_contents) == 60,
          "typed inputs give typed fp32_contents")
    check(np.array_equal(logits_of(typed), expected), "typed contents: bitwise equal to infera run")
    flipped = client.infer(image_request(pb, images, raw=False, binary_data_output=True))
    check(len(flipped.raw_output_contents) == 1 and np.array_equal(logits_of(flipped), expected),
          "binary_data_output=true answers raw for typed inputs")

    # One image per call, many at once: the batcher gathers them; each answer equals its row.
    answers = [None] * len(images)

    def one(i):
        answers[i] = logits_of(client.infer(image_request(pb, images[i:i + 1])))
    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(images))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    check(all(a is not None and np.array_equal(a[0], expected[i]) for i, a in enumerate(answers)),
          "concurrent single-image calls: each bitwise equal to its infera run row")
    # They went through the model's dynamic batcher, the one HTTP uses: its statistics show it.
    status, stats = server.json("GET", "/v2/models/fashion/stats")
    sizes = [b["batch_size"] for b in stats["model_stats"][0]["batch_stats"]]
    check(status == 200 and max(sizes) > 1, f"gRPC calls were batched together: batch sizes {sizes}")

    # Classification: top 3 as "score:index:label" BYTES, typed and raw.
    for use_raw in (False, True):
        response = client.infer(image_request(pb, images[:2], raw=use_raw, outputs=[("logits", 3)]))
        output = response.outputs[0]
        if use_raw:
            texts = [b.decode() for b in split_raw_bytes(response.raw_output_contents[0])]
        else:
            texts = [b.decode() for b in output.contents.bytes_contents]
        want = []
        for row in expected[:2]:
            for index in np.argsort(-row, kind="stable")[:3]:
                want.append((int(index), LABELS[index], row[index]))
        got = [(int(t.split(":")[1]), t.split(":", 2)[2], np.float32(t.split(":")[0])) for t in texts]
        check(output.datatype == "BYTES" and list(output.shape) == [2, 3] and got == want,
              f"classification ({'raw' if use_raw else 'typed'}): {texts}")
    return expected


def sample_values(name):
    """Six elements of datatype `name`, edge values included, as Python values."""
    dtype = V2_TYPES[name][1]
    if name == "BYTES":
        return [b"a", b"", b"\x00\xffz", b"k", b"long one", b"!"]
    if name == "BOOL":
        return [True, False, True, False, False, True]
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return [int(info.min), 0, 1, 7, int(info.max) - 1, int(info.max)]
    return [float(np.array(v, dtype=dtype)) for v in (-1.5, 0.1, 3e4, 2.25, -0.0, 1e-3)]


def raw_bytes(name, values):
    if name == "BYTES":
        return b"".join(len(v).to_bytes(4, "little") + v for v in values)
    return np.array(values, dtype=np.dtype(V2_TYPES[name][1]).newbyteorder("<")).tobytes()


def split_raw_bytes(blob):
    """BYTES raw contents: 4-byte little-endian length, then the bytes, per element."""
    elements = []
    while blob:
        length = int.from_bytes(blob[:4], "little")
        elements.append(blob[4:4 + length])
        blob = blob[4 + length:]
    return elements


def make_typed_model(path):
    """Identity per datatype with a typed contents field (all but FP16)."""
    names = [n for n in V2_TYPES if n != "FP16"]
    graph = helper.make_graph(
        [helper.make_node("Identity", [f"in_{n}"], [f"out_{n}"]) for n in names], "typed",
        [helper.make_tensor_value_info(f"in_{n}", V2_TYPES[n][0], ["batch", 3]) for n in names],
        [helper.make_tensor_value_info(f"out_{n}", V2_TYPES[n][0], ["batch", 3]) for n in names])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)


def test_datatypes(client):
    pb = client.pb
    # Raw contents, every datatype, through the types model: bytes come back unchanged.
    request = pb.ModelInferRequest(model_name="types")
    for name in V2_TYPES:
        request.inputs.add(name=f"in_{name}", datatype=name, shape=[2, 3])
        request.raw_input_contents.append(raw_bytes(name, sample_values(name)))
    response = client.infer(request)
    outputs = {o.name: (o, response.raw_output_contents[n]) for n, o in enumerate(response.outputs)}
    for name in V2_TYPES:
        output, blob = outputs[f"out_{name}"]
        sent = raw_bytes(name, sample_values(name))
        check(output.datatype == name and list(output.shape) == [2, 3] and blob == sent,
              f"raw {name} comes back unchanged")

    # Typed contents in and out, every datatype that has a field.
    request = pb.ModelInferRequest(model_name="typed")
    for name in TYPED_FIELD:
        tensor = request.inputs.add(name=f"in_{name}", datatype=name, shape=[2, 3])
        getattr(tensor.contents, TYPED_FIELD[name]).extend(sample_values(name))
    response = client.infer(request)
    check(not response.raw_output_contents, "typed inputs: typed outputs")
    for output in response.outputs:
        name = output.datatype
        got = list(getattr(output.contents, TYPED_FIELD[name]))
        check(output.name == f"out_{name}" and list(output.shape) == [2, 3] and got == sample_values(name),
              f"typed {name}: {got}")

    # FP16 has no typed field.
    request = pb.ModelInferRequest(model_name="types")
    request.inputs.add(name="in_FP16", datatype="FP16", shape=[2, 3])
    code, details = client.code_of("ModelInfer", request)
    check(code == grpc.StatusCode.INVALID_ARGUMENT and "raw_input_contents" in details,
          f"typed FP16 refused, naming raw_input_contents: {code} {details}")


def test_raw_in_typed_out(client):
    """binary_data_output=false asks typed answers for raw inputs (FP16 alone stays raw, and
    one FP16 output would make the whole answer raw: it is not requested)."""
    pb = client.pb
    request = pb.ModelInferRequest(model_name="types")
    for name in V2_TYPES:
        request.inputs.add(name=f"in_{name}", datatype=name, shape=[2, 3])
        request.raw_input_contents.append(raw_bytes(name, sample_values(name)))
        if name in TYPED_FIELD:
            request.outputs.add(name=f"out_{name}")
    request.parameters["binary_data_output"].bool_param = False
    response = client.infer(request)
    check(not response.raw_output_contents, "binary_data_output=false answers typed contents")
    for output in response.outputs:
        got = list(getattr(output.contents, TYPED_FIELD[output.datatype]))
        check(got == sample_values(output.datatype), f"raw in, typed {output.datatype} out: {got}")
    request.outputs.add(name="out_FP16")
    response = client.infer(request)
    check(len(response.raw_output_contents) == len(TYPED_FIELD) + 1,
          "an FP16 output makes every output raw")


def test_errors(client):
    pb = client.pb
    good = fashion_images(1)
    INVALID, NOT_FOUND = grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND

    def with_change(change):
        request = image_request(pb, good)
        change(request)
        return request
    cases = [
        ("unknown model", with_change(lambda r: setattr(r, "model_name", "nope")), NOT_FOUND),
        ("wrong version", with_change(lambda r: setattr(r, "model_version", "3")), NOT_FOUND),
        ("wrong datatype", with_change(lambda r: setattr(r.inputs[0], "datatype", "FP64")), INVALID),
        ("unknown datatype", with_change(lambda r: setattr(r.inputs[0], "datatype", "FLOAT")), INVALID),
        ("wrong shape", with_change(lambda r: r.inputs[0].shape.__setitem__(2, 27)), INVALID),
        ("unknown input", with_change(lambda r: setattr(r.inputs[0], "name", "pixels")), INVALID),
        ("input twice", with_change(lambda r: (r.inputs.add().CopyFrom(r.inputs[0]),
                                               r.raw_input_contents.append(r.raw_input_contents[0]))), INVALID),
        ("no inputs", with_change(lambda r: (r.ClearField("inputs"), r.ClearField("raw_input_contents"))), INVALID),
        ("raw size mismatch", with_change(lambda r: r.raw_input_contents.__setitem__(0, b"\0" * 12)), INVALID),
        ("raw count mismatch", with_change(lambda r: r.raw_input_contents.append(b"")), INVALID),
        ("raw and typed", with_change(lambda r: r.inputs[0].contents.fp32_contents.append(1.0)), INVALID),
        ("typed count mismatch", pb.ModelInferRequest(
            model_name="fashion", inputs=[pb.ModelInferRequest.InferInputTensor(
                name="image", datatype="FP32", shape=[1, 1, 28, 28],
                contents=pb.InferTensorContents(fp32_contents=[0.5] * 700))]), INVALID),
        ("typed in the wrong field", pb.ModelInferRequest(
            model_name="fashion", inputs=[pb.ModelInferRequest.InferInputTensor(
                name="image", datatype="FP32", shape=[1, 1, 28, 28],
                contents=pb.InferTensorContents(fp64_contents=[0.5] * 784))]), INVALID),
        ("unknown output", image_request(pb, good, outputs=[("probabilities", 0)]), INVALID),
        ("classification 0", with_change(lambda r: r.outputs.add(name="logits").parameters["classification"]
                                         .__setattr__("int64_param", -2)), INVALID),
        ("batch over max_batch_size", image_request(pb, fashion_images(9)), INVALID),
    ]
    for what, request, want in cases:
        code, details = client.code_of("ModelInfer", request)
        check(code == want and details, f"{what}: {code} {details!r}, want {want}")

    # An integer that does not fit its datatype: INT8 300.
    request = pb.ModelInferRequest(model_name="typed")
    request.inputs.add(name="in_INT8", datatype="INT8", shape=[1, 3]).contents.int_contents.extend([1, 300, 2])
    code, details = client.code_of("ModelInfer", request)
    check(code == INVALID and "300" in details, f"INT8 out of range: {code} {details}")

    # An expired request timeout (the slow model waits 400 ms for batch mates): UNAVAILABLE.
    code, details = client.code_of("ModelInfer", image_request(pb, good, model="slow", timeout=1))
    check(code == grpc.StatusCode.UNAVAILABLE, f"expired timeout: {code} {details}")

    # A full queue (room for one): some UNAVAILABLE, nothing else failing.
    burst = image_request(pb, np.repeat(fashion_images(8), 32, axis=0), model="tiny_queue")
    codes = []
    threads = [threading.Thread(target=lambda: codes.append(client.code_of("ModelInfer", burst)[0]))
               for _ in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    check(grpc.StatusCode.UNAVAILABLE in codes and set(codes) <= {grpc.StatusCode.OK, grpc.StatusCode.UNAVAILABLE},
          f"queue full: {sorted(set(str(c) for c in codes))}")

    # An output that does not follow the batch: two batched calls cannot be split (INTERNAL).
    one = pb.ModelInferRequest(model_name="batch_sum", inputs=[pb.ModelInferRequest.InferInputTensor(
        name="x", datatype="FP32", shape=[1, 4], contents=pb.InferTensorContents(fp32_contents=[1, 2, 3, 4]))])
    codes = []
    threads = [threading.Thread(target=lambda: codes.append(client.code_of("ModelInfer", one)[0]))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    check(codes == [grpc.StatusCode.INTERNAL] * 2, f"unsplittable batch: {codes}")


def test_graceful_shutdown(server, client):
    """SIGTERM with a call queued on the slow model: it is answered, then the server exits 0."""
    pb = client.pb
    result = {}

    def call():
        try:
            result["response"] = client.infer(image_request(pb, fashion_images(1), model="slow"))
        except grpc.RpcError as error:
            result["error"] = error.code()
    thread = threading.Thread(target=call)
    thread.start()
    wait_until_queued(server, "slow")  # a fixed sleep lost this race on a loaded machine
    server.process.send_signal(signal.SIGTERM)
    thread.join(60)
    check("response" in result and len(result["response"].raw_output_contents) == 1,
          f"in-flight gRPC call answered during shutdown: {result.get('error')}")
    code = server.stop()
    check(code == 0, f"exit code after SIGTERM: {code}")
    code, _ = Client(pb, server.grpc_port).code_of("ServerLive", pb.ServerLiveRequest())
    check(code == grpc.StatusCode.UNAVAILABLE, f"after shutdown the gRPC port is closed: {code}")


def main():
    build = sys.argv[1]
    work = tempfile.mkdtemp(prefix="infera_grpc_test_")
    pb = generate_messages(work)
    repository = make_test_repository(work)
    typed_path = os.path.join(work, "typed.onnx")
    make_typed_model(typed_path)
    add_model(repository, "typed", 1, typed_path, {"max_batch_size": 4})
    grpc_port = free_port()
    server = Server(build, repository, "--grpc-port", str(grpc_port), "--log-level", "info")
    server.grpc_port = grpc_port
    try:
        line = server.process.stdout.readline()
        check(f"gRPC listening on 127.0.0.1:{grpc_port}" in line, f"gRPC start line: {line!r}")
        client = Client(pb, grpc_port)
        test_health_and_metadata(client)
        test_infer(server, client, build, work)
        test_datatypes(client)
        test_raw_in_typed_out(client)
        test_errors(client)
        test_graceful_shutdown(server, client)
        log = server.log_text()
        check('"rpc":"ModelInfer"' in log and '"grpc_code":3' in log, "gRPC calls are in the access log")
    finally:
        if server.process.poll() is None:
            server.process.kill()
    finish("serve gRPC")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

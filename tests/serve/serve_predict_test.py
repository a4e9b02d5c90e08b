#!/usr/bin/env python3
"""The image endpoint of `infera serve`, from outside the process over 127.0.0.1:
POST /v1/models/<m>/predict with multipart/form-data and raw bodies (PNG, JPEG, PGM, an image
that needs resizing), concurrent uploads batched together, every refusal (bad image, empty
body, form without a file, JSON body, unknown model, model without a pipeline spec, wrong
method), GET /v1/models and the page at /. Answers are compared with `infera predict --json`
on the same files.

  serve_predict_test.py BUILD_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid

from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_harness import check, finish, FASHION_MODEL, FASHION_SPEC, ROOT, Server, add_model  # noqa: E402
def infera_predict(build, path):
    out = subprocess.run([os.path.join(build, "infera"), "predict", FASHION_MODEL, path, "--json"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def multipart(fields, files):
    """(body, content type): `files` is [(field, filename, content type, bytes)]."""
    boundary = "----infera" + uuid.uuid4().hex
    body = b""
    for name, value in fields:
        body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                 f"{value}\r\n").encode()
    for name, filename, content_type, data in files:
        body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; "
                 f"filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n").encode()
        body += data + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def post(server, model, body, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    status, response_headers, payload = server.request("POST", f"/v1/models/{model}/predict", body, headers)
    return status, response_headers, json.loads(payload) if payload else None


def same_answer(answer, expected, what):
    fields = ("label", "index", "confidence", "top_k", "input_shape")
    check(all(answer.get(k) == expected[k] for k in fields),
          f"{what}: {[answer.get(k) for k in fields]} != infera predict {[expected[k] for k in fields]}")
    check(answer.get("image") == dict(zip(("width", "height", "channels"), expected["image"])),
          f"{what}: decoded size {answer.get('image')} != {expected['image']}")


def make_images(folder):
    """Fashion-MNIST test images as PNG, JPEG, PGM, and a 2x enlarged RGB PNG (needs resizing)."""
    subprocess.run([sys.executable, os.path.join(ROOT, "tests/fixtures/make_fashion_pngs.py"), folder, "16"],
                   check=True)
    first = Image.open(os.path.join(folder, "00001.png"))
    first.save(os.path.join(folder, "pullover.jpg"), quality=90)
    first.save(os.path.join(folder, "pullover.pgm"))
    first.convert("RGB").resize((56, 56), Image.NEAREST).save(os.path.join(folder, "pullover_56_rgb.png"))
    return sorted(os.path.join(folder, n) for n in os.listdir(folder) if n[0].isdigit())


def test_uploads(server, build, folder):
    path = os.path.join(folder, "00000.png")
    data = open(path, "rb").read()
    expected = infera_predict(build, path)
    check(expected["label"] == "Ankle boot", f"fixture: first test image is an ankle boot, not {expected['label']}")

    body, content_type = multipart([("comment", "from a form")], [("file", "00000.png", "image/png", data)])
    status, headers, answer = post(server, "fashion", body, content_type)
    check(status == 200 and headers.get("content-type", "").startswith("application/json"),
          f"multipart upload: {status} {answer}")
    same_answer(answer, expected, "multipart upload")
    check(answer["model_name"] == "fashion" and answer["model_version"] == "1", f"model named: {answer}")
    check(len(answer["top_k"]) == 3 and answer["top_k"][0]["label"] == answer["label"], "top 3, best first")

    # A field named "image" without a filename is the upload too.
    boundary = "b" * 20
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\n").encode() + data + \
        f"\r\n--{boundary}--\r\n".encode()
    status, _, answer = post(server, "fashion", body, f"multipart/form-data; boundary=\"{boundary}\"")
    check(status == 200, f"multipart 'image' field, quoted boundary: {status} {answer}")
    if status == 200:
        same_answer(answer, expected, "multipart 'image' field")

    for name, content_type in (("00000.png", "image/png"), ("pullover.jpg", "image/jpeg"),
                               ("pullover.pgm", "image/x-portable-graymap"),
                               ("pullover_56_rgb.png", "application/octet-stream")):
        path = os.path.join(folder, name)
        status, _, answer = post(server, "fashion", open(path, "rb").read(), content_type)
        check(status == 200, f"raw {name} as {content_type}: {status} {answer}")
        if status == 200:
            same_answer(answer, infera_predict(build, path), f"raw {name}")


def test_batched_uploads(server, build, files):
    """Concurrent uploads share engine runs and each still gets its own file's answer."""
    expected = {path: infera_predict(build, path) for path in files}
    answers = {}

    def send(path):
        answers[path] = post(server, "fashion", open(path, "rb").read(), "image/png")

    threads = [threading.Thread(target=send, args=(path,)) for path in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for path in files:
        status, _, answer = answers[path]
        check(status == 200, f"concurrent {os.path.basename(path)}: {status} {answer}")
        if status == 200:
            same_answer(answer, expected[path], f"concurrent {os.path.basename(path)}")
    status, stats = server.json("GET", "/v2/models/fashion/stats")
    sizes = [entry["batch_size"] for entry in stats["model_stats"][0]["batch_stats"]]
    check(status == 200 and max(sizes) > 1, f"uploads went through the batcher together: batch sizes {sizes}")
    check(stats["model_stats"][0]["inference_count"] >= len(files), f"statistics count uploads: {stats}")


def test_refusals(server, folder):
    png = open(os.path.join(folder, "00000.png"), "rb").read()

    status, _, answer = post(server, "fashion", b"hello, I am text", "image/png")
    check(status == 400 and "not an image" in answer["error"] and "image/png" in answer["error"]
          and "16 bytes" in answer["error"] and "hello, I am" in answer["error"],
          f"text sent as image/png: 400 naming what came: {status} {answer}")
    truncated = png[:len(png) // 2]
    body, content_type = multipart([], [("file", "half.png", "image/png", truncated)])
    status, _, answer = post(server, "fashion", body, content_type)
    check(status == 400 and "half.png" in answer["error"], f"truncated PNG names the file: {status} {answer}")
    status, _, answer = post(server, "fashion", b"", "image/png")
    check(status == 400 and "empty" in answer["error"], f"empty body: {status} {answer}")
    body, content_type = multipart([("name", "boot")], [])
    status, _, answer = post(server, "fashion", body, content_type)
    check(status == 400 and "no file field" in answer["error"] and "'name'" in answer["error"],
          f"form without a file: {status} {answer}")
    status, _, answer = post(server, "fashion", body, "multipart/form-data")
    check(status == 400 and "boundary" in answer["error"], f"multipart without boundary: {status} {answer}")
    status, _, answer = post(server, "fashion", b"--x\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc",
                             "multipart/form-data; boundary=x")
    check(status == 400 and "closing boundary" in answer["error"], f"unterminated multipart: {status} {answer}")
    status, _, answer = post(server, "fashion", b'{"inputs": []}', "application/json")
    check(status == 415 and "/v2/models/<model>/infer" in answer["error"], f"JSON body: {status} {answer}")
    status, _, answer = post(server, "nosuch", png, "image/png")
    check(status == 404 and "nosuch" in answer["error"], f"unknown model: {status} {answer}")
    status, _, answer = post(server, "plain", png, "image/png")
    check(status == 400 and "no pipeline spec" in answer["error"] and "plain" in answer["error"],
          f"model without a pipeline spec: {status} {answer}")
    status, headers, _ = server.request("GET", "/v1/models/fashion/predict")
    check(status == 405 and headers.get("allow") == "POST", f"GET on predict: {status}")
    status, _, _ = server.request("GET", "/v1/models/fashion/other")
    check(status == 404, f"unknown /v1 route: {status}")


def test_listing_and_page(server):
    status, listing = server.json("GET", "/v1/models")
    by_name = {m["name"]: m for m in listing["models"]} if status == 200 else {}
    labels = json.load(open(FASHION_SPEC))["labels"]
    check(by_name.get("fashion", {}).get("pipeline") ==
          {"width": 28, "height": 28, "channels": 1, "top_k": 3, "labels": labels},
          f"/v1/models describes the fashion pipeline: {by_name.get('fashion')}")
    check(by_name.get("plain", {}).get("pipeline") is None and "no pipeline spec" in by_name["plain"]["problem"],
          f"/v1/models says why 'plain' takes no images: {by_name.get('plain')}")
    status, headers, page = server.request("GET", "/")
    check(status == 200 and headers.get("content-type", "").startswith("text/html")
          and b'<canvas id="canvas"' in page and page == open(os.path.join(ROOT, "web/index.html"), "rb").read(),
          f"GET / serves web/index.html as compiled in: {status} {headers.get('content-type')}")
    check("default-src 'none'" in headers.get("content-security-policy", ""), "the page may load nothing else")
    status, _, _ = server.request("POST", "/", b"")
    check(status == 405, f"POST /: {status}")


def main():
    build = sys.argv[1]
    work = tempfile.mkdtemp(prefix="infera_predict_test_")
    repository = os.path.join(work, "repo")
    add_model(repository, "fashion", 1, FASHION_MODEL,
              {"max_batch_size": 8, "max_queue_delay_us": 50000, "pipeline": "pipeline.json"}, FASHION_SPEC)
    add_model(repository, "plain", 1, FASHION_MODEL, {"warmup": False})
    folder = os.path.join(work, "images")
    files = make_images(folder)
    server = Server(build, repository, "--log-level", "warn")
    try:
        test_uploads(server, build, folder)
        test_batched_uploads(server, build, files)
        test_refusals(server, folder)
        test_listing_and_page(server)
        check(server.stop() == 0, "SIGTERM: exit 0")
    finally:
        if server.process.poll() is None:
            server.process.kill()
    finish("serve predict")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

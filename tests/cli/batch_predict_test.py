#!/usr/bin/python3
"""`infera predict --data` at scale, end to end, on the 70,000 Fashion-MNIST images (training
then test set, one dataset): the answers on the test part equal PyTorch's; two shards run at the
same time give together exactly the records of one unsharded run; a run killed midway
(SIGKILL), even with a line cut short, and resumed equals the unsharded run, without
duplicates or gaps; CSV carries the same answers; bad records become error lines.

  batch_predict_test.py BUILD_DIR
"""
import csv
import gzip
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODEL = os.path.join(ROOT, "models/fashion_mnist/fashion_mnist_cnn.onnx")
FASHION = "/usr/share/datasets/fashion-mnist/"
DATA = ["--data", "idx:" + FASHION + "train", "--data", "idx:" + FASHION + "t10k"]
TOTAL = 70000
failures = []


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail[-1500:]))
    if not ok:
        failures.append(name)


def predict_command(build, output, *extra):
    return [os.path.join(build, "infera"), "predict", MODEL, *DATA, "--output", output,
            "--batch-size", "64", *extra]


def predict(build, output, *extra):
    return subprocess.run(predict_command(build, output, *extra), capture_output=True, text=True)


def lines(path):
    with open(path) as f:
        return f.read().splitlines()


def labels(name):
    with gzip.open(FASHION + name + "-labels-idx1-ubyte.gz", "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=8).astype(int)


def check_unsharded(all_lines):
    records = [json.loads(l) for l in all_lines]
    check("unsharded: 70,000 lines, records 0..69999 in order",
          [r["record"] for r in records] == list(range(TOTAL)), f"{len(records)} lines")
    if len(records) != TOTAL:
        return
    targets = np.concatenate([labels("train"), labels("t10k")])
    check("targets are the IDX labels", [r["target"] for r in records] == targets.tolist())
    check("sources name the file and the index in it",
          records[0]["source"] == "train-images-idx3-ubyte.gz[0]"
          and records[60000]["source"] == "t10k-images-idx3-ubyte.gz[0]",
          f'{records[0]["source"]} {records[60000]["source"]}')
    torch = np.load(os.path.join(ROOT, "models/fashion_mnist/pytorch_predictions.npy")).astype(int)
    ours = np.array([r["index"] for r in records[60000:]])
    check("test part: every predicted class equals PyTorch's", (ours == torch).all(),
          f"{int((ours != torch).sum())} differ")


def check_sharded(build, tmp, all_lines):
    outs = [os.path.join(tmp, f"shard{i}.jsonl") for i in range(2)]
    runs = [subprocess.Popen(predict_command(build, outs[i], "--shard", f"{i}/2"),
                             stderr=subprocess.PIPE, text=True) for i in range(2)]
    codes = [r.wait() for r in runs]
    check("two shards at the same time exit 0", codes == [0, 0], str(codes))
    shard_lines = [lines(o) for o in outs]
    check("shard i holds only records i, i+2, ...",
          all(json.loads(l)["record"] % 2 == i for i in range(2) for l in shard_lines[i]))
    check("shards 0/2 + 1/2 sorted == unsharded sorted",
          sorted(shard_lines[0] + shard_lines[1]) == sorted(all_lines),
          f"{len(shard_lines[0])} + {len(shard_lines[1])} lines")


def kill_midway(build, output, *extra):
    """Starts a run, SIGKILLs it once some lines exist; returns the line count then."""
    run = subprocess.Popen(predict_command(build, output, *extra), stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and run.poll() is None:
        if os.path.exists(output) and os.path.getsize(output) > 2_000_000:  # ~7,000 lines
            break
        time.sleep(0.01)
    run.send_signal(signal.SIGKILL)
    run.wait()
    return len(lines(output))


def check_resume(build, tmp, all_lines):
    out = os.path.join(tmp, "killed.jsonl")
    before = kill_midway(build, out)
    check("killed midway", 0 < before < TOTAL, f"{before} lines when killed")
    # A write cut short leaves part of a line; resume must drop it, not keep or duplicate it.
    with open(out, "a") as f:
        f.write(all_lines[-1][:40])
    result = predict(build, out, "--resume")
    check("--resume exits 0", result.returncode == 0, result.stderr)
    resumed = lines(out)
    check(f"killed at {before} lines + --resume == unsharded run, line for line",
          resumed == all_lines, f"{len(resumed)} lines")
    result = predict(build, out, "--resume")
    check("--resume of a finished run adds nothing",
          result.returncode == 0 and lines(out) == all_lines and " 0 records answered" in result.stderr,
          result.stderr)

    # The same for one shard, and a shard's file is refused for another shard.
    out = os.path.join(tmp, "killed_shard.jsonl")
    kill_midway(build, out, "--shard", "1/2")
    result = predict(build, out, "--shard", "1/2", "--resume")
    check("shard 1/2 killed + --resume == the unsharded run's odd records",
          result.returncode == 0 and lines(out) == all_lines[1::2], result.stderr)
    result = predict(build, out, "--shard", "0/2", "--resume")
    check("--resume with another --shard is refused",
          result.returncode == 1 and "expects record 0" in result.stderr, result.stderr)


def check_csv(build, tmp, all_lines):
    out = os.path.join(tmp, "test.csv")
    result = subprocess.run([os.path.join(build, "infera"), "predict", MODEL, "--data",
                             "idx:" + FASHION + "t10k", "--output", out, "--quiet"],
                            capture_output=True, text=True)
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    records = [json.loads(l) for l in all_lines[60000:]]
    same = len(rows) == 10000 and all(
        int(r["record"]) == j["record"] - 60000 and r["label"] == j["label"]
        and int(r["index"]) == j["index"] and float(r["confidence"]) == j["confidence"]
        and int(r["target"]) == j["target"] for r, j in zip(rows, records))
    check("CSV: header and the same answers as JSONL", result.returncode == 0 and same,
          result.stderr + str(rows[:1]))


def check_bad_records(build, tmp):
    fixtures = os.path.join(tmp, "fixtures")
    subprocess.run([sys.executable, os.path.join(ROOT, "tests/fixtures/make_eval_fixtures.py"),
                    fixtures], check=True, capture_output=True)
    out = os.path.join(tmp, "folder.jsonl")
    cmd = [os.path.join(build, "infera"), "predict", MODEL, "--data",
           "folder:" + os.path.join(fixtures, "folder"), "--output", out]
    result = subprocess.run(cmd, capture_output=True, text=True)
    records = [json.loads(l) for l in lines(out)] if os.path.exists(out) else []
    errors = [r for r in records if "error" in r]
    reported = [l for l in result.stderr.splitlines() if l.startswith("infera: bad record")]
    check("a broken image is an error line, reported on stderr with its location",
          result.returncode == 0 and len(errors) == 1 and errors[0]["source"].endswith("broken.png")
          and len(reported) == 1 and "broken.png" in reported[0]
          and [r["record"] for r in records] == list(range(len(records))),
          result.stderr + str(errors))
    result = subprocess.run(cmd + ["--strict"], capture_output=True, text=True)
    check("--strict: a broken image ends the run with exit 1",
          result.returncode == 1 and "broken.png" in result.stderr, result.stderr)


def main():
    build = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="infera_batch_predict_")
    out = os.path.join(tmp, "all.jsonl")
    result = predict(build, out)
    check("unsharded run exits 0", result.returncode == 0, result.stderr)
    print(result.stderr.strip())
    all_lines = lines(out)
    check_unsharded(all_lines)
    check_sharded(build, tmp, all_lines)
    check_resume(build, tmp, all_lines)
    check_csv(build, tmp, all_lines)
    check_bad_records(build, tmp)
    print(f"{len(failures)} failure(s)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

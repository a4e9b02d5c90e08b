#!/usr/bin/python3
"""`infera eval` end to end on every kind of dataset (fixtures from
tests/fixtures/make_eval_fixtures.py), bad records included, and on the Fashion-MNIST test set,
whose count of correct answers must equal PyTorch's.

  eval_cli_test.py BUILD_DIR
"""
import json
import os
import subprocess
import sys
import shutil
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FASHION_MODEL = os.path.join(ROOT, "models/fashion_mnist/fashion_mnist_cnn.onnx")
failures = []


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail))
    if not ok:
        failures.append(name)


def infera(build, *args):
    return subprocess.run([os.path.join(build, "infera"), "eval", *args, "--quiet"],
                          capture_output=True, text=True)


def eval_json(build, tmp, name, model, data, *extra):
    out = os.path.join(tmp, name + ".json")
    result = infera(build, model, "--data", data, "--json", out, *extra)
    if result.returncode != 0:
        check(name, False, f"exit {result.returncode}: {result.stderr.strip()}")
        return None, result
    with open(out) as f:
        return json.load(f), result


def expect_counts(name, report, result, want):
    if report is None:
        return
    got = {"evaluated": report["evaluated"], "skipped": report["skipped"]}
    if "correct" in want:
        got["correct"] = report["classification"]["correct"]
    wanted = {k: want[k] for k in got}
    check(name, got == wanted, f"got {got}, want {wanted}")
    skipped_lines = [l for l in result.stderr.splitlines() if l.startswith("skipped ")]
    check(name + ": one stderr line per skipped record", len(skipped_lines) == want["skipped"],
          result.stderr.strip())


def main():
    build = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="infera_eval_")
    subprocess.run([sys.executable, os.path.join(ROOT, "tests/fixtures/make_eval_fixtures.py"), tmp],
                   check=True)
    with open(os.path.join(tmp, "expected.json")) as f:
        expected = json.load(f)
    f = lambda name: os.path.join(tmp, name)

    for kind, data in [("folder", "folder:" + f("folder")), ("list_csv", "list:" + f("list.csv")),
                       ("list_jsonl", "list:" + f("list.jsonl")),
                       ("npy", f"npy:{f('inputs.npy')},{f('targets.npy')}")]:
        report, result = eval_json(build, tmp, kind, FASHION_MODEL, data, "--batch-size", "16")
        expect_counts(kind, report, result, expected[kind])

    classifier = f("tabular_classifier.onnx")
    table = "csv:" + f("table.csv") + "?target=species&features=a,b,c"
    report, result = eval_json(build, tmp, "csv_classifier", classifier, table)
    expect_counts("csv_classifier", report, result, expected["csv_classifier"])

    report, result = eval_json(build, tmp, "csv_regressor", f("tabular_regressor.onnx"),
                               "csv:" + f("regression.csv") + "?target=y1,y2")
    if report:
        want = expected["csv_regressor"]
        got = report["regression"]
        close = all(abs(got[k] - want[k]) <= 1e-5 * max(1, abs(want[k])) for k in ("mae", "rmse", "r2"))
        check("csv_regressor MAE/RMSE/R2 match sklearn", close, f"got {got}, want {want}")

    # binary and multilabel models on NPY feature rows: sklearn's figures.
    report, result = eval_json(build, tmp, "npy_binary", f("binary.onnx"),
                               f"npy:{f('scores_x.npy')},{f('binary_y.npy')}")
    expect_counts("npy_binary", report, result, expected["npy_binary"])
    if report:
        want = expected["npy_binary"]
        got = report["binary"]
        close = all(abs(got[k] - want[k]) <= 1e-9 for k in ("roc_auc", "average_precision"))
        check("npy_binary ROC AUC and average precision match sklearn", close, f"got {got}, want {want}")
    report, result = eval_json(build, tmp, "npy_multilabel", f("multilabel.onnx"),
                               f"npy:{f('scores_x.npy')},{f('multilabel_y.npy')}")
    if report:
        want = expected["npy_multilabel"]
        got = {"micro_f1": report["multilabel"]["micro"]["f1"], "macro_f1": report["multilabel"]["macro_f1"]}
        close = all(abs(got[k] - want[k]) <= 1e-9 for k in got)
        check("npy_multilabel micro/macro F1 match sklearn", close, f"got {got}, want {want}")

    # --strict: the first bad record ends the run with exit 1 and one line naming it.
    result = infera(build, FASHION_MODEL, "--data", "folder:" + f("folder"), "--strict")
    check("--strict stops at the broken image",
          result.returncode == 1 and len(result.stderr.splitlines()) == 1 and "broken.png" in result.stderr,
          f"exit {result.returncode}: {result.stderr.strip()}")
    result = infera(build, classifier, "--data", table, "--strict")
    check("--strict names file:line of a bad CSV row",
          result.returncode == 1 and "table.csv:32" in result.stderr, result.stderr.strip())
    result = infera(build, FASHION_MODEL, "--data", "nonsense:" + tmp)
    check("an unknown data kind is refused", result.returncode == 1 and "unknown kind 'nonsense'" in result.stderr,
          result.stderr.strip())

    # --errors: the most confident mistakes, each with its file and both labels.
    result = infera(build, FASHION_MODEL, "--data", "folder:" + f("folder"), "--errors", "2")
    mistakes = [l for l in result.stdout.splitlines() if l.startswith("  ") and ": true " in l]
    check("--errors lists 2 mistakes with their source", len(mistakes) == 2 and all(".png" in l for l in mistakes),
          result.stdout[-600:])

    # --report: figures, report.json and index.html; the grid only where records are images.
    report = os.path.join(tmp, "report")
    result = infera(build, FASHION_MODEL, "--data", "folder:" + f("folder"), "--report", report,
                    "--grid", "2x3", "--seed", "1")
    written = sorted(os.listdir(report)) if os.path.isdir(report) else []
    check("--report writes the grid, confusion matrix, reliability diagram, report.json, index.html",
          result.returncode == 0 and written == ["confusion_matrix.png", "index.html", "prediction_grid.png",
                                                 "reliability.png", "report.json"], f"{written} {result.stderr}")
    if "report.json" in written:
        from PIL import Image
        metrics = json.load(open(os.path.join(report, "report.json")))["metrics"]
        accuracy_line = [l for l in result.stdout.splitlines() if l.startswith("accuracy: ")]
        check("report.json has the accuracy eval printed",
              accuracy_line and accuracy_line[0].startswith(f"accuracy: {metrics['classification']['accuracy']:.4f}"),
              f"{accuracy_line} {json.dumps(metrics)[:300]}")
        width, height = Image.open(os.path.join(report, "prediction_grid.png")).size
        check("a 2x3 grid is wider than tall", width > height, f"{width}x{height}")
        html = open(os.path.join(report, "index.html")).read()
        check("index.html shows every figure", all(f'src="{png}"' in html for png in
                                                  ["prediction_grid.png", "confusion_matrix.png", "reliability.png"]))
    report_idx = os.path.join(tmp, "report_idx")
    result = infera(build, FASHION_MODEL, "--data", "idx:/usr/share/datasets/fashion-mnist/t10k", "--limit", "50",
                    "--report", report_idx)
    check("--report on 50 IDX records draws their grid", result.returncode == 0 and
          os.path.exists(os.path.join(report_idx, "prediction_grid.png")), result.stderr[-300:])

    report_regression = os.path.join(tmp, "report_regression")
    result = infera(build, f("tabular_regressor.onnx"), "--data", "csv:" + f("regression.csv") + "?target=y1,y2",
                    "--report", report_regression)
    written = sorted(os.listdir(report_regression)) if os.path.isdir(report_regression) else []
    check("--report for a regressor draws the predicted-vs-actual scatter, no confusion matrix",
          result.returncode == 0 and written == ["index.html", "predicted_vs_actual.png", "report.json"],
          f"{written} {result.stderr}")

    # A spec with test-time augmentation is refused by eval (one view per record), not ignored.
    spec = json.load(open(os.path.join(ROOT, "models/fashion_mnist/fashion_mnist_cnn.pipeline.json")))
    spec["tta"] = {"mode": "flip"}
    if "labels_file" in spec:
        spec["labels_file"] = os.path.join(ROOT, "models/fashion_mnist", spec["labels_file"])
    tta_spec = os.path.join(tmp, "tta.pipeline.json")
    json.dump(spec, open(tta_spec, "w"))
    result = infera(build, FASHION_MODEL, "--data", "folder:" + f("folder"), "--pipeline", tta_spec)
    check("eval refuses a spec with TTA, naming it", result.returncode == 1 and
          "test-time augmentation (2 views)" in result.stderr and len(result.stderr.splitlines()) == 1,
          result.stderr)

    # The whole Fashion-MNIST test set: PyTorch's count of correct answers, exactly.
    result = subprocess.run([os.path.join(build, "infera"), "eval", FASHION_MODEL, "--data",
                             "idx:/usr/share/datasets/fashion-mnist/t10k", "--reference",
                             os.path.join(ROOT, "models/fashion_mnist/pytorch_reference.json")],
                            capture_output=True, text=True)
    check("Fashion-MNIST t10k: accuracy 0.9095 (9095/10000), identical to PyTorch",
          result.returncode == 0 and "accuracy: 0.9095 (9095/10000)" in result.stdout
          and "identical" in result.stdout, result.stdout[-800:] + result.stderr)
    progress = [l for l in result.stderr.splitlines() if l.startswith("progress: ")]
    check("plain progress lines when not a terminal", len(progress) == 10, result.stderr[-400:])

    shutil.rmtree(tmp)
    print(f"{len(failures)} failure(s)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

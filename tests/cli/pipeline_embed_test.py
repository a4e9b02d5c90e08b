#!/usr/bin/python3
"""`infera pipeline embed` checked by the ONNX project's own Python package (python3-onnx):

  - onnx.load reads the written model, onnx.checker passes, the graph, opsets and every other
    field are unchanged, and metadata_props holds the spec under 'infera.pipeline';
  - embedding again replaces the entry (one entry, the new spec) and keeps unrelated entries;
  - `infera predict` on the embedded model (no spec file beside it) gives exactly the answers
    that the spec file gives on the original.

  pipeline_embed_test.py BUILD_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import onnx

KEY = "infera.pipeline"


def run(*args):
    result = subprocess.run(list(args), capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(args)} exited {result.returncode}: {result.stderr.strip()}")
    return result.stdout


def entries(model, key):
    return [p.value for p in model.metadata_props if p.key == key]


def without_metadata(model):
    copy = onnx.ModelProto()
    copy.CopyFrom(model)
    del copy.metadata_props[:]
    return copy.SerializeToString()


def answers(stdout):
    out = []
    for line in stdout.splitlines():
        a = json.loads(line)
        out.append((os.path.basename(a["file"]), a["label"], a["index"], a["top_k"]))
    return out


def main():
    build = sys.argv[1]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    infera = os.path.join(build, "infera")
    original = os.path.join(root, "models/fashion_mnist/fashion_mnist_cnn.onnx")
    spec_file = os.path.join(root, "models/fashion_mnist/fashion_mnist_cnn.pipeline.json")
    tmp = tempfile.mkdtemp()
    try:
        # An unrelated entry that must survive, written by onnx itself.
        model = onnx.load(original)
        onnx.helper.set_model_props(model, {"author": "fixture"})
        bare = os.path.join(tmp, "model.onnx")
        onnx.save(model, bare)

        run(infera, "pipeline", "embed", bare, spec_file)
        embedded = onnx.load(bare)
        onnx.checker.check_model(embedded)
        assert without_metadata(embedded) == without_metadata(model), "other fields changed"
        assert entries(embedded, "author") == ["fixture"]
        [text] = entries(embedded, KEY)
        spec = json.loads(text)
        expected = json.load(open(spec_file))
        assert spec["labels"] == expected["labels"] and spec["top_k"] == 3, spec
        assert spec["preprocess"]["scale"] == "unit" and spec["input"]["width"] == 28, spec

        run(infera, "pipeline", "embed", bare, "mnist")
        again = onnx.load(bare)
        onnx.checker.check_model(again)
        [text] = entries(again, KEY)
        assert "labels" not in json.loads(text), "the second embed did not replace the first"
        assert entries(again, "author") == ["fixture"]
        assert len(again.metadata_props) == 2

        run(infera, "pipeline", "embed", bare, spec_file)
        pngs = os.path.join(tmp, "pngs")
        subprocess.run([sys.executable, os.path.join(root, "tests/fixtures/make_fashion_pngs.py"),
                        pngs, "64"], check=True)
        from_metadata = answers(run(infera, "predict", bare, pngs, "--json"))
        from_file = answers(run(infera, "predict", original, pngs, "--json", "--pipeline", spec_file))
        assert len(from_file) == 64 and from_metadata == from_file, "answers differ"
        shown = run(infera, "pipeline", "show", bare)
        assert shown.startswith(f"source: {bare} metadata '{KEY}'"), shown
        print("embed: onnx.checker passes, fields kept, entry replaced, 64 answers identical")
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()

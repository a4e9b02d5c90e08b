#!/usr/bin/python3
"""Exports the whole-model test zoo: real architectures with seeded random weights (nothing can
be downloaded here, so no pretrained weights), each with an input and PyTorch's own output.

    /usr/bin/python3 scripts/export_zoo.py OUTDIR [--only NAME ...]

For every model NAME it writes, into OUTDIR:
  NAME.onnx         opset 17, eval mode, dynamic batch axis (axis 0 of input and output)
  NAME.input.npy    a seeded random float32 input: [2,3,224,224] for the CNNs (batch 2 shows
                    the dynamic batch works), [1,128,256] for the transformer
  NAME.output.npy   PyTorch's float32 output for that input, computed in eval mode

Models: resnet50, mobilenet_v2, efficientnet_b0, squeezenet1_1 (torchvision 0.14) and
transformer_encoder (nn.TransformerEncoder: 4 layers, d_model 256, 4 heads, feed-forward 1024,
batch_first). Default initialisation leaves BatchNorm at mean 0 / var 1 / gamma 1 / beta 0 and
copies one transformer layer four times, which would let a wrong kernel pass; so gamma and
beta are randomised, BatchNorm statistics are measured on random data and jittered, and every
transformer layer gets its own weights.

Idempotent: a model whose three files exist and whose manifest entry matches this script's
hash is skipped without importing torch, so the test set-up can call this on every run.
"""
import argparse
import hashlib
import json
import os
import sys

CNN_NAMES = ["resnet50", "mobilenet_v2", "efficientnet_b0", "squeezenet1_1"]
TRANSFORMER_NAME = "transformer_encoder"
ALL_NAMES = CNN_NAMES + [TRANSFORMER_NAME]
OPSET = 17
SEED = 1234
MANIFEST = "zoo_manifest.json"


def script_hash():
    with open(os.path.abspath(__file__), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def outputs_of(outdir, name):
    return [os.path.join(outdir, f"{name}{suffix}")
            for suffix in (".onnx", ".input.npy", ".output.npy")]


def load_manifest(outdir):
    try:
        with open(os.path.join(outdir, MANIFEST)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def is_up_to_date(outdir, name, manifest, current_hash):
    entry = manifest.get(name, {})
    return entry.get("script_sha256") == current_hash and all(
        os.path.exists(p) for p in outputs_of(outdir, name))


# ---- building the models (torch is imported only when something must be built) ----

def model_seed(name):
    # A seed per model, so adding or skipping one model never changes another's weights.
    return SEED + int(hashlib.sha256(name.encode()).hexdigest()[:8], 16) % 100000


def randomize_batchnorm(torch, model, calibration_input):
    """Random gamma/beta, then running statistics measured on random data and jittered, so
    activations stay well scaled through 50 layers yet no statistic is a trivial 0 or 1."""
    norms = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    with torch.no_grad():
        for bn in norms:
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.normal_(0.0, 0.1)
            bn.reset_running_stats()
            bn.momentum = None  # cumulative average over the calibration pass
        model.train()
        model(calibration_input)
        model.eval()
        for bn in norms:
            bn.running_mean.add_(0.1 * bn.running_var.sqrt() * torch.randn_like(bn.running_mean))
            bn.running_var.mul_(torch.empty_like(bn.running_var).uniform_(0.8, 1.25))
            bn.momentum = 0.1
    return len(norms)


def randomize_biases(torch, model):
    """torchvision zero-initialises most biases; identical zero tensors would let a kernel that
    ignores its bias pass, and the exporter merges them into one initializer plus Identity nodes."""
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)) and module.bias is not None:
                module.bias.normal_(0.0, 0.05)


def build_cnn(torch, name):
    import torchvision
    model = getattr(torchvision.models, name)(weights=None)
    randomize_biases(torch, model)
    calibration = torch.randn(4, 3, 224, 224)
    count = randomize_batchnorm(torch, model, calibration)
    print(f"{name}: randomised {count} BatchNorm layers")
    return model.eval(), torch.randn(2, 3, 224, 224)


def build_transformer(torch):
    layer = torch.nn.TransformerEncoderLayer(
        d_model=256, nhead=4, dim_feedforward=1024, batch_first=True)
    # enable_nested_tensor=False keeps torch 1.13 off its nested-tensor fast path.
    model = torch.nn.TransformerEncoder(layer, num_layers=4, enable_nested_tensor=False)
    with torch.no_grad():
        for parameter_name, parameter in model.named_parameters():
            if parameter.dim() > 1:
                torch.nn.init.xavier_uniform_(parameter)
            elif parameter_name.endswith("norm1.weight") or parameter_name.endswith("norm2.weight"):
                parameter.uniform_(0.5, 1.5)
            else:  # biases, including LayerNorm's beta
                parameter.normal_(0.0, 0.1)
    return model.eval(), torch.randn(1, 128, 256)


# ---- exporting and checking ----

def export(torch, model, example_input, onnx_path):
    torch.onnx.export(
        model, example_input, onnx_path, opset_version=OPSET,
        input_names=["input"], output_names=["output"],
        dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
        do_constant_folding=True)


def check_standard_ops(onnx_path):
    """Fails unless the graph is valid and uses only default-domain ONNX ops; returns op counts."""
    import collections
    import onnx
    model = onnx.load(onnx_path)
    onnx.checker.check_model(model, full_check=True)
    foreign = {(n.domain, n.op_type) for n in model.graph.node if n.domain not in ("", "ai.onnx")}
    if foreign:
        raise RuntimeError(f"{onnx_path}: non-standard ops {sorted(foreign)}")
    return collections.Counter(n.op_type for n in model.graph.node)


def save_atomically(path, write):
    """Writes through a temporary name, so an interrupted run never leaves a file that a later
    run would mistake for finished."""
    temporary = path + ".partial"
    write(temporary)
    os.replace(temporary, path)


def save_npy(path, array):
    import numpy as np
    with open(path, "wb") as f:  # a file object, since np.save(path) would append ".npy"
        np.save(f, array)


def save_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f, indent=2, sort_keys=True)
        f.write("\n")


def build_and_export(outdir, name):
    import torch
    torch.manual_seed(model_seed(name))
    torch.set_num_threads(min(2, os.cpu_count() or 1))
    if name == TRANSFORMER_NAME:
        model, example_input = build_transformer(torch)
    else:
        model, example_input = build_cnn(torch, name)
    with torch.no_grad():
        expected = model(example_input).float()
    onnx_path, input_path, output_path = outputs_of(outdir, name)
    save_atomically(onnx_path, lambda p: export(torch, model, example_input, p))
    op_counts = check_standard_ops(onnx_path)
    save_atomically(input_path, lambda p: save_npy(p, example_input.numpy()))
    save_atomically(output_path, lambda p: save_npy(p, expected.numpy()))
    print(f"{name}: input {list(example_input.shape)} -> output {list(expected.shape)}, "
          f"{os.path.getsize(onnx_path) / 1e6:.1f} MB")
    print(f"{name}: ops " + ", ".join(f"{op} x{count}" for op, count in sorted(op_counts.items())))
    return {"script_sha256": script_hash(), "ops": dict(sorted(op_counts.items())),
            "torch_version": torch.__version__}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("outdir")
    parser.add_argument("--only", nargs="*", choices=ALL_NAMES, help="models to export (default all)")
    args = parser.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    manifest = load_manifest(args.outdir)
    current_hash = script_hash()
    for name in args.only or ALL_NAMES:
        if is_up_to_date(args.outdir, name, manifest, current_hash):
            print(f"{name}: up to date")
            continue
        manifest[name] = build_and_export(args.outdir, name)
        save_atomically(os.path.join(args.outdir, MANIFEST), lambda p: save_json(p, manifest))
    return 0


if __name__ == "__main__":
    sys.exit(main())

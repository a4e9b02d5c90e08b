#!/usr/bin/env python3
"""Small ONNX models made of one layer type repeated, for `bench/compare_ort --zoo-dir DIR`:
where a whole model is slower than ONNX Runtime, these show which kind of layer it is. The
shapes are EfficientNet-B0's (depthwise 3x3 and 5x5, expand/project 1x1 pairs, squeeze-and-
excitation blocks), each with SiLU as PyTorch exports it (Sigmoid, Mul).

    /usr/bin/python3 bench/layer_models.py OUT_DIR
    bench/compare_ort --zoo-dir OUT_DIR --models dw3_144_56:1,pw_24_144_56:1,... --rounds 4
"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save


class Chain:
    def __init__(self, seed):
        self.nodes, self.initializers, self.count = [], [], 0
        self.rng = np.random.default_rng(seed)

    def fresh(self, prefix):
        self.count += 1
        return f"{prefix}{self.count}"

    def conv(self, x, cin, cout, k, group=1, activation="silu"):
        w, b, y = self.fresh("w"), self.fresh("b"), self.fresh("conv")
        fan_in = cin // group * k * k  # keeps activations near unit scale down the chain
        self.initializers += [
            numpy_helper.from_array((self.rng.standard_normal((cout, cin // group, k, k)) / np.sqrt(fan_in)).astype(np.float32), w),
            numpy_helper.from_array((self.rng.standard_normal(cout) * 0.1).astype(np.float32), b)]
        self.nodes.append(helper.make_node("Conv", [x, w, b], [y], kernel_shape=[k, k], pads=[k // 2] * 4, group=group))
        if activation is None:
            return y
        gate = self.fresh("sigmoid")
        self.nodes.append(helper.make_node("Sigmoid", [y], [gate]))
        if activation == "sigmoid":
            return gate
        out = self.fresh("silu")
        self.nodes.append(helper.make_node("Mul", [y, gate], [out]))
        return out

    def squeeze_excite(self, x, channels, reduced):
        pooled = self.fresh("pool")
        self.nodes.append(helper.make_node("GlobalAveragePool", [x], [pooled]))
        scale = self.conv(self.conv(pooled, channels, reduced, 1), reduced, channels, 1, activation="sigmoid")
        out = self.fresh("scaled")
        self.nodes.append(helper.make_node("Mul", [x, scale], [out]))
        return out

    def save(self, path, shape, output):
        graph = helper.make_graph(self.nodes, os.path.basename(path)[:-5],
                                  [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
                                  [helper.make_tensor_value_info(output, TensorProto.FLOAT, None)], self.initializers)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        model.ir_version = 8
        save(model, path)


def depthwise(channels, k, repeats=8):
    def build(chain, x):
        for _ in range(repeats):
            x = chain.conv(x, channels, channels, k, group=channels)
        return x
    return build


def pointwise_pairs(channels, expanded, repeats=4):
    def build(chain, x):
        for _ in range(repeats):
            x = chain.conv(chain.conv(x, channels, expanded, 1), expanded, channels, 1, activation=None)
        return x
    return build


def squeeze_excite_blocks(channels, reduced, repeats=8):
    def build(chain, x):
        for _ in range(repeats):
            x = chain.squeeze_excite(x, channels, reduced)
        return x
    return build


MODELS = {  # name: (input shape, body)
    "dw3_32_112": ([1, 32, 112, 112], depthwise(32, 3)),
    "dw3_144_56": ([1, 144, 56, 56], depthwise(144, 3)),
    "dw5_240_28": ([1, 240, 28, 28], depthwise(240, 5)),
    "pw_24_144_56": ([1, 24, 56, 56], pointwise_pairs(24, 144)),
    "pw_80_480_14": ([1, 80, 14, 14], pointwise_pairs(80, 480)),
    "pw_192_1152_7": ([1, 192, 7, 7], pointwise_pairs(192, 1152)),
    "se_672_14": ([1, 672, 14, 14], squeeze_excite_blocks(672, 28)),
}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    os.makedirs(sys.argv[1], exist_ok=True)
    for seed, (name, (shape, build)) in enumerate(MODELS.items()):
        chain = Chain(seed)
        chain.save(os.path.join(sys.argv[1], name + ".onnx"), shape, build(chain, "x"))
        print(name)


if __name__ == "__main__":
    main()

"""Exports gradcam's ONNX test fixtures: small seeded PyTorch models that together use every op
issue 20 lists, each at opsets 13 and 17, with pytorch-grad-cam's GradCAM maps as the reference.

Usage (from the repository root):
    PYTHONPATH=../shared/anchors /usr/bin/python3 scripts/onnx/export_fixtures.py [OUT_DIR]
OUT_DIR defaults to test/fixtures/onnx. For each model NAME it writes
    NAME.png               the test picture (the model's input size, RGB)
    NAME.input.npy         float32 NCHW [1, 3, h, w]: `--preprocess torch` of NAME.png, exactly
    NAME.opsetK.onnx       the exported model (K = 13, 17)
    NAME.opsetK.json       ops, layers (ONNX node and output, PyTorch module), logits, class, maps
and prints the op coverage table that README.md holds.
"""
import json
import math
import sys
from collections import OrderedDict
from pathlib import Path

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import helper, numpy_helper

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

OPSETS = (13, 17)
# Ops issue 20 (point 2) asks gradcam to translate; the coverage table checks each is exported.
REQUIRED_OPS = [
    "Conv", "BatchNormalization", "Relu", "Clip", "LeakyRelu", "Sigmoid", "HardSigmoid", "HardSwish", "Erf",
    "Add", "Sub", "Mul", "Div", "Pow", "Sqrt", "ReduceMean", "LayerNormalization", "MaxPool", "AveragePool",
    "GlobalAveragePool", "Concat", "Split", "Slice", "Pad", "Transpose", "Flatten", "Reshape", "Squeeze",
    "Unsqueeze", "Gemm", "MatMul", "Softmax", "Dropout", "Identity", "Constant", "Shape", "Gather",
]


# ---- the models ---------------------------------------------------------------------------


class BasicBlock(nn.Module):
    """torchvision's ResNet BasicBlock (one `relu` module used twice), with a dilation and groups."""

    def __init__(self, inputs, outputs, stride=1, dilation=1, groups=1):
        super().__init__()
        self.conv1 = nn.Conv2d(inputs, outputs, 3, stride, padding=dilation, dilation=dilation, bias=False)
        self.bn1 = nn.BatchNorm2d(outputs)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(outputs, outputs, 3, 1, padding=1, groups=groups, bias=False)
        self.bn2 = nn.BatchNorm2d(outputs)
        self.downsample = None
        if stride != 1 or inputs != outputs:
            self.downsample = nn.Sequential(nn.Conv2d(inputs, outputs, 1, stride, bias=False), nn.BatchNorm2d(outputs))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class MiniResNet(nn.Module):
    """Stem, max pool, a dilated block and a strided grouped block with a projection shortcut,
    global average pool, Linear. Default layer: the last block's output."""

    def __init__(self, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 5, 2, 2, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = nn.Sequential(BasicBlock(8, 8, dilation=2))
        self.layer2 = nn.Sequential(BasicBlock(8, 16, stride=2, groups=2))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer2(self.layer1(x))
        return self.fc(torch.flatten(self.avgpool(x), 1))


class SqueezeExcite(nn.Module):
    def __init__(self, channels, squeezed):
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(channels, squeezed, 1)
        self.fc2 = nn.Conv2d(squeezed, channels, 1)
        self.activation = nn.SiLU()
        self.gate = nn.Hardsigmoid()

    def forward(self, x):
        return x * self.gate(self.fc2(self.activation(self.fc1(self.avgpool(x)))))


def conv_bn(inputs, outputs, kernel, stride=1, groups=1, activation=nn.ReLU6):
    layers = [nn.Conv2d(inputs, outputs, kernel, stride, kernel // 2, groups=groups, bias=False), nn.BatchNorm2d(outputs)]
    if activation is not None:
        layers.append(activation(inplace=True))
    return nn.Sequential(*layers)


class InvertedResidual(nn.Module):
    """MobileNetV2's block (expand, depthwise, project; residual when shapes allow) with an
    optional squeeze-excite and activation, as EfficientNet/MobileNetV3 do."""

    def __init__(self, inputs, outputs, stride, expand, activation=nn.ReLU6, excite=False):
        super().__init__()
        hidden = inputs * expand
        self.use_residual = stride == 1 and inputs == outputs
        layers = [conv_bn(inputs, hidden, 1, activation=activation),
                  conv_bn(hidden, hidden, 3, stride, groups=hidden, activation=activation)]
        if excite:
            layers.append(SqueezeExcite(hidden, max(2, inputs // 4)))
        layers += [nn.Conv2d(hidden, outputs, 1, bias=False), nn.BatchNorm2d(outputs)]
        self.conv = nn.Sequential(*layers)

    def forward(self, x):
        return x + self.conv(x) if self.use_residual else self.conv(x)


class MiniMobileNet(nn.Module):
    """MobileNetV2/V3/EfficientNet in small: ReLU6 (Clip), HardSwish, SiLU (Sigmoid·x), depthwise
    convs, squeeze-excite, a LeakyReLU head, dropout and Linear. Default layer: features[-1], the
    last conv-BN-activation."""

    def __init__(self, classes=10):
        super().__init__()
        self.features = nn.Sequential(
            conv_bn(3, 8, 3, 2),
            InvertedResidual(8, 8, 1, 2),
            InvertedResidual(8, 16, 2, 3, activation=nn.Hardswish),
            InvertedResidual(16, 16, 1, 3, activation=nn.SiLU, excite=True),
            conv_bn(16, 32, 1, activation=nn.ReLU6),
        )
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(32, 24), nn.LeakyReLU(0.1), nn.Linear(24, classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.pool(self.features(x)), 1))


class ConvNeXtBlock(nn.Module):
    """torchvision's CNBlock: depthwise 7×7, permute to channels-last, LayerNorm, Linear, GELU,
    Linear, layer scale, permute back, residual add."""

    def __init__(self, channels):
        super().__init__()
        self.block = nn.Sequential(
            nn.Conv2d(channels, channels, 7, padding=3, groups=channels),
            Permute(0, 2, 3, 1),
            nn.LayerNorm(channels, eps=1e-6),
            nn.Linear(channels, 4 * channels),
            nn.GELU(),
            nn.Linear(4 * channels, channels),
            Permute(0, 3, 1, 2),
        )
        self.layer_scale = nn.Parameter(torch.full((channels, 1, 1), 0.5))

    def forward(self, x):
        return x + self.layer_scale * self.block(x)


class Permute(nn.Module):
    def __init__(self, *dims):
        super().__init__()
        self.dims = dims

    def forward(self, x):
        return x.permute(*self.dims)


class ChannelsFirstLayerNorm(nn.Module):
    """LayerNorm over channels of an NCHW tensor, as torchvision's ConvNeXt downsampling does."""

    def __init__(self, channels):
        super().__init__()
        self.norm = nn.LayerNorm(channels, eps=1e-6)

    def forward(self, x):
        return self.norm(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)


class MiniConvNeXt(nn.Module):
    """Patchify stem, ConvNeXt blocks, a LayerNorm + strided conv downsample, global average
    pool, LayerNorm, Linear. Default layer: the last block's output."""

    def __init__(self, classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Sequential(nn.Conv2d(3, 16, 4, 4), ChannelsFirstLayerNorm(16)),
            nn.Sequential(ConvNeXtBlock(16)),
            nn.Sequential(ChannelsFirstLayerNorm(16), nn.Conv2d(16, 24, 2, 2)),
            nn.Sequential(ConvNeXtBlock(24), ConvNeXtBlock(24)),
        )
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(ChannelsFirstLayerNorm(24), nn.Flatten(1), nn.Linear(24, classes))

    def forward(self, x):
        return self.classifier(self.avgpool(self.features(x)))


class Attention(nn.Module):
    """Multi-head self-attention written out: one qkv Linear split in three, heads by reshape and
    transpose, softmax(q kᵀ / √d) v as MatMuls."""

    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        batch, tokens, dim = x.shape
        q, k, v = self.qkv(x).split(dim, dim=-1)

        def heads(t):
            return t.reshape(batch, tokens, self.heads, dim // self.heads).transpose(1, 2)

        q, k, v = heads(q), heads(k), heads(v)
        weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(dim // self.heads), dim=-1)
        return self.proj((weights @ v).transpose(1, 2).reshape(batch, tokens, dim))


class EncoderBlock(nn.Module):
    """torchvision's ViT EncoderBlock: pre-norm attention and MLP (GELU), both residual."""

    def __init__(self, dim, heads):
        super().__init__()
        self.ln_1 = nn.LayerNorm(dim, eps=1e-6)
        self.self_attention = Attention(dim, heads)
        self.dropout = nn.Dropout(0.0)
        self.ln_2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, dim))

    def forward(self, x):
        x = x + self.dropout(self.self_attention(self.ln_1(x)))
        return x + self.mlp(self.ln_2(x))


class Encoder(nn.Module):
    """torchvision's ViT Encoder: positions added, blocks named encoder_layer_{i}, LayerNorm."""

    def __init__(self, tokens, dim, heads, depth):
        super().__init__()
        self.pos_embedding = nn.Parameter(torch.empty(1, tokens, dim).normal_(std=0.5))
        self.layers = nn.Sequential(OrderedDict((f"encoder_layer_{i}", EncoderBlock(dim, heads)) for i in range(depth)))
        self.ln = nn.LayerNorm(dim, eps=1e-6)

    def forward(self, x):
        return self.ln(self.layers(x + self.pos_embedding))


class MiniViT(nn.Module):
    """torchvision's VisionTransformer in small: 8×8 patches by a strided conv, flattened to tokens
    (reshape with the batch taken from the input's shape), a class token expanded and
    concatenated, learned positions, two encoder blocks, LayerNorm, the class token's row
    (Gather), Linear. Its layers are explained through the 4×4 token grid (reshape_transform)."""

    def __init__(self, classes=10, dim=32, heads=4, size=32, patch=8, depth=2):
        super().__init__()
        self.grid = size // patch
        self.conv_proj = nn.Conv2d(3, dim, patch, patch)
        self.class_token = nn.Parameter(torch.zeros(1, 1, dim).normal_(0, 0.5))
        self.encoder = Encoder(self.grid * self.grid + 1, dim, heads, depth)
        self.heads = nn.Sequential(nn.Linear(dim, classes))

    def forward(self, x):
        n = x.shape[0]
        x = self.conv_proj(x).reshape(n, self.conv_proj.out_channels, -1).permute(0, 2, 1)
        x = self.encoder(torch.cat([self.class_token.expand(n, -1, -1), x], dim=1))
        return self.heads(x[:, 0])


class MiniVGG(nn.Module):
    """VGG in small, ending in Softmax: convs (one with a (3, 1) kernel, strides (2, 1) and
    asymmetric padding by Pad), max and average pools, an Inception-style concatenation of two
    branches, batch norm after it (a BatchNormalization node: not after a Conv, so not folded), a
    Slice, a normalisation over channels (ReduceMean, Sub, Pow, Sqrt, Div), Squeeze and
    Unsqueeze, then Flatten of a 4×4×16 map into Linear layers (PyTorch's C, H, W element order)
    and Softmax. `scores` is the model without the Softmax: the reference is computed on it.
    Default layer: the last conv's ReLU."""

    def __init__(self, classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(inplace=True),
            nn.MaxPool2d(2, 2),
            nn.Conv2d(8, 12, (3, 1), (2, 1), padding=(1, 0)), nn.BatchNorm2d(12), nn.LeakyReLU(0.2),
        )
        self.branch_a = nn.Conv2d(12, 8, 1)
        self.branch_b = nn.Conv2d(12, 8, 3, padding=0)
        self.norm = nn.BatchNorm2d(16)  # after a Concat, so not folded into a Conv
        self.pool = nn.AvgPool2d(2, 2)
        self.last_conv = nn.Conv2d(16, 16, 3, padding=1)
        self.last_relu = nn.ReLU()
        self.classifier = nn.Sequential(nn.Linear(16 * 4 * 4, 32), nn.ReLU(), nn.Dropout(0.5), nn.Linear(32, classes))

    def scores(self, x):
        x = self.features(x)  # [n, 12, 8, 16]
        b = self.branch_b(F.pad(x, (0, 3, 1, 1), value=0.25))  # asymmetric: left 0, right 3
        x = torch.cat([self.branch_a(x), b[:, :, :, 1:]], dim=1)  # Slice: drop one column
        x = self.pool(self.norm(x))  # [n, 16, 4, 8]
        x = x[:, :, :, 2:6]  # Slice: [n, 16, 4, 4]
        x = x - x.mean(dim=1, keepdim=True)
        x = x / torch.sqrt(x.pow(2).mean(dim=1, keepdim=True) + 1e-3)
        x = self.last_relu(self.last_conv(x))
        x = x.unsqueeze(1).squeeze(1)
        return self.classifier(torch.flatten(x, 1))

    def forward(self, x):
        return torch.softmax(self.scores(x), dim=1)


class ScoresOf(nn.Module):
    """The model's pre-softmax scores as a module, for pytorch-grad-cam (gradcam explains a model
    ending in Softmax on the scores before it)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model.scores(x)


# name, class, input [h, w], layers: (role, module path), dynamic batch, softmax at the end
FIXTURES = [
    ("mini-resnet", MiniResNet, (32, 32), [("default", "layer2.0"), ("residual-branch", "layer2.0.relu")], False),
    ("mini-mobilenet", MiniMobileNet, (32, 32),
     [("default", "features.4"), ("residual-branch", "features.3.conv.1")], False),
    ("mini-convnext", MiniConvNeXt, (32, 32),
     [("default", "features.3.1"), ("residual-branch", "features.3.1.block.0")], False),
    ("mini-vit", MiniViT, (32, 32),
     [("default", "encoder.layers.encoder_layer_1.ln_1"), ("residual-branch", "encoder.layers.encoder_layer_0.mlp.1")], True),
    ("mini-vgg-softmax", MiniVGG, (32, 32), [("default", "last_relu"), ("earlier", "features.6")], True),
]


# ---- export -------------------------------------------------------------------------------


def add_dropout_and_identity(model_proto, opset):
    """torch.onnx.export drops Dropout in eval mode and emits Identity only in corner cases, but
    other exporters (and older torch) leave both in: put an inference-mode Dropout and an
    Identity after the first Relu/Clip-free spot, the graph's first Conv, without changing values."""
    graph = model_proto.graph
    index, conv = next((i, n) for i, n in enumerate(graph.node) if n.op_type == "Conv")
    original = conv.output[0]
    dropped, identical = original + "_dropout_in", original + "_identity_in"
    conv.output[0] = identical
    ratio = helper.make_node("Constant", [], [original + "_ratio"], name=conv.name.rsplit("/", 1)[0] + "/Constant_ratio",
                             value=numpy_helper.from_array(np.array(0.3, dtype=np.float32)))
    identity = helper.make_node("Identity", [identical], [dropped], name=conv.name.rsplit("/", 1)[0] + "/Identity")
    dropout = helper.make_node("Dropout", [dropped, original + "_ratio"], [original],
                               name=conv.name.rsplit("/", 1)[0] + "/Dropout")
    for offset, node in enumerate([ratio, identity, dropout], 1):
        graph.node.insert(index + offset, node)
    onnx.checker.check_model(model_proto)
    return model_proto


def export(model, x, opset, dynamic_batch):
    import io

    buffer = io.BytesIO()
    dynamic_axes = {"input": {0: "batch"}, "output": {0: "batch"}} if dynamic_batch else None
    torch.onnx.export(model, x, buffer, opset_version=opset, input_names=["input"], output_names=["output"],
                      dynamic_axes=dynamic_axes)
    return onnx.load_from_string(buffer.getvalue())


def main():
    root = Path(__file__).resolve().parents[2]
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else root / "test" / "fixtures" / "onnx"
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(2)
    coverage = {}
    for seed, (name, build, (height, width), layers, dynamic_batch) in enumerate(FIXTURES, 1):
        torch.manual_seed(seed)
        model = build()
        common.calibrate_batch_norm(model, (1, 3, height, width), seed)
        picture = common.test_picture(height, width, seed)
        common.write_png(out / f"{name}.png", picture)
        if not np.array_equal(common.read_png(out / f"{name}.png"), picture):
            raise AssertionError("PNG round trip changed pixels")
        x_numpy = common.torch_preprocess(picture)
        np.save(out / f"{name}.input.npy", x_numpy)
        x = torch.from_numpy(x_numpy)
        softmax_at_end = isinstance(model, MiniVGG)
        scored = ScoresOf(model).eval() if softmax_at_end else model
        with torch.no_grad():
            logits = scored(x)[0].double().numpy()
            output = model(x)[0].double().numpy()
        order = np.argsort(-logits)
        predicted = int(order[0])
        module_names = {n for n, _ in model.named_modules()}
        references = []
        for role, path in layers:
            module = model.get_submodule(path)
            activation = common.module_output(model, module, x)
            transform = None
            grid = None
            if activation.dim() == 3:  # tokens
                grid = [model.grid, model.grid]
                transform = common.vit_reshape_transform(*grid)
            heatmap = common.gradcam_map(scored, module, x, predicted, transform)
            if not heatmap.max() > 0.5:
                raise AssertionError(f"{name} {path}: degenerate map (max {heatmap.max()})")
            references.append((role, path, list(activation.shape), grid, heatmap))

        for opset in OPSETS:
            proto = export(model, x, opset, dynamic_batch)
            if name == "mini-mobilenet":
                proto = add_dropout_and_identity(proto, opset)
            file = f"{name}.opset{opset}.onnx"
            onnx.save(proto, out / file)
            ops = common.op_types(proto)
            coverage[(name, opset)] = ops
            record_layers = []
            for role, path, shape, grid, heatmap in references:
                node, output_name = common.onnx_layer(proto, module_names, path, shape)
                entry = {
                    "role": role,
                    "onnxNode": node,
                    "onnxOutput": output_name,
                    "pytorchModule": path,
                    "outputShape": shape,
                    "mapShape": list(heatmap.shape),
                    "map": heatmap.astype(float).round(7).tolist(),
                }
                if grid is not None:
                    entry["tokenGrid"] = {"classTokens": 1, "height": grid[0], "width": grid[1],
                                          "rule": "tokens[:, 1:, :] reshaped to [n, h, w, c], then to [n, c, h, w]"}
                record_layers.append(entry)
            record = {
                "model": name,
                "onnx": file,
                "opset": opset,
                "ops": ops,
                "input": {
                    "png": f"{name}.png",
                    "npy": f"{name}.input.npy",
                    "shape": [1, 3, height, width],
                    "dynamicBatch": dynamic_batch,
                    "preprocess": "torch: (pixel/255 - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225] on R, G, B",
                },
                "endsInSoftmax": softmax_at_end,
                "logits": logits.tolist(),
                "predictedClass": predicted,
                "top2Margin": float(logits[order[0]] - logits[order[1]]),
                "method": "pytorch-grad-cam 1.5.5 GradCAM, ClassifierOutputTarget(predictedClass), maps at the "
                          "layer's resolution (get_target_width_height), ReLU then min-max normalized",
                "layers": record_layers,
            }
            if softmax_at_end:
                record["softmax"] = output.tolist()
                record["logitsNote"] = "logits are the scores before the final Softmax; maps explain them"
            (out / f"{name}.opset{opset}.json").write_text(json.dumps(record, indent=1) + "\n")
            size = (out / file).stat().st_size
            if size >= 1 << 20:
                raise AssertionError(f"{file} is {size} bytes, over 1 MB")
            print(f"{file}: {size} bytes, class {predicted}, margin {record['top2Margin']:.4f}, "
                  + ", ".join(f"{r['role']} {r['onnxNode']}" for r in record_layers), file=sys.stderr)
    print(coverage_table(coverage))


def coverage_table(coverage):
    columns = sorted(coverage)
    header = "| op | " + " | ".join(f"{n} {o}" for n, o in columns) + " |"
    lines = [header, "|" + "---|" * (len(columns) + 1)]
    every = sorted(set(REQUIRED_OPS) | {op for ops in coverage.values() for op in ops})
    for op in every:
        marks = ["x" if op in coverage[c] else "" for c in columns]
        label = op if op in REQUIRED_OPS else f"{op} (extra)"
        lines.append(f"| {label} | " + " | ".join(marks) + " |")
    missing = [op for op in REQUIRED_OPS if not any(op in ops for ops in coverage.values())]
    lines.append("")
    lines.append("Required ops not covered: " + (", ".join(missing) if missing else "none"))
    return "\n".join(lines)


if __name__ == "__main__":
    main()

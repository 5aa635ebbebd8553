"""Exports torchvision's resnet18, resnet50, mobilenet_v2, vgg11_bn, densenet121, efficientnet_b0,
convnext_tiny (opsets 13 and 17) and vit_b_16 (opset 17) with seeded random weights, batch norm
calibrated by forward passes in training mode, into DIR (not committed: hundreds of MB):

    DIR/NAME.opsetK.onnx   torch.onnx.export(model, x, f, opset_version=K), nothing else
    DIR/NAME.pt            the PyTorch state_dict, so reference_maps.py explains the same model
    DIR/test-image.png     a 224×224 RGB test picture; DIR/test-image.input.npy its `--preprocess torch`
    DIR/README.txt         per model: files, the layers to compare at (ONNX node <-> PyTorch module)
    DIR/models.json        the same, for scripts

Usage: /usr/bin/python3 scripts/onnx/export_torchvision.py DIR [NAME ...]
"""
import json
import sys
import time
from pathlib import Path

import numpy as np
import onnx
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import torchvision_models as tv  # noqa: E402

IMAGE_SEED = 224


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = Path(sys.argv[1])
    names = sys.argv[2:] or list(tv.MODELS)
    unknown = [n for n in names if n not in tv.MODELS]
    if unknown:
        sys.exit(f"unknown models: {', '.join(unknown)}; known: {', '.join(tv.MODELS)}")
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(2)
    picture = common.test_picture(tv.SIZE, tv.SIZE, IMAGE_SEED)
    common.write_png(out / "test-image.png", picture)
    x_numpy = common.torch_preprocess(picture)
    np.save(out / "test-image.input.npy", x_numpy)
    x = torch.from_numpy(x_numpy)
    catalogue_path = out / "models.json"
    catalogue = json.loads(catalogue_path.read_text()) if catalogue_path.exists() else {}
    for seed, name in enumerate(tv.MODELS, 1):
        if name not in names:
            continue
        started = time.perf_counter()
        opsets, layers = tv.MODELS[name]
        model = tv.build(name, seed)
        common.calibrate_batch_norm(model, (1, 3, tv.SIZE, tv.SIZE), seed, passes=4, batch=8)
        torch.save(model.state_dict(), out / f"{name}.pt")
        with torch.no_grad():
            logits = tv.explained(name, model)(x)[0].double().numpy()
        order = np.argsort(-logits)
        files = {}
        for opset in opsets:
            file = out / f"{name}.opset{opset}.onnx"
            torch.onnx.export(model, x, str(file), opset_version=opset)
            proto = onnx.load(str(file), load_external_data=False)
            node_names = {n.name for n in proto.graph.node}
            missing = [node for _, _, node in layers if node not in node_names]
            if missing:
                raise AssertionError(f"{file.name}: no node {missing}")
            files[opset] = {"file": file.name, "bytes": file.stat().st_size, "ops": common.op_types(proto)}
        entry = {
            "seed": seed,
            "state_dict": f"{name}.pt",
            "onnx": files,
            "layers": [{"role": role, "pytorchModule": module, "onnxNode": node} for role, module, node in layers],
            "predictedClass": int(order[0]),
            "top2Margin": float(logits[order[0]] - logits[order[1]]),
        }
        if name == "vit_b_16":
            entry["tokenGrid"] = {"classTokens": 1, "height": tv.VIT_GRID[0], "width": tv.VIT_GRID[1]}
        catalogue[name] = entry
        catalogue_path.write_text(json.dumps(catalogue, indent=1) + "\n")
        print(f"{name}: class {entry['predictedClass']} (margin {entry['top2Margin']:.4f}), "
              f"{time.perf_counter() - started:.0f} s", file=sys.stderr)
    write_readme(out, catalogue)


def write_readme(out, catalogue):
    lines = [
        "ONNX exports of torchvision classifiers with seeded random weights (no pretrained weights here),",
        "batch norm calibrated by 4 train-mode passes of 8 seeded N(0, 1) inputs. Made by",
        "scripts/onnx/export_torchvision.py (branch onnx-refs) with torch 1.13 / torchvision 0.14:",
        "torch.onnx.export(model, x, f, opset_version=K), x = test-image.input.npy [1, 3, 224, 224].",
        "",
        "test-image.png: 224x224 RGB; `--preprocess torch` of it is test-image.input.npy exactly.",
        "Reference maps: reference_maps.py NAME --layer ROLE (pytorch-grad-cam GradCAM, predicted class,",
        "at the layer's resolution, min-max normalized); compare.py OURS.npy THEIRS.npy.",
        "",
    ]
    for name, entry in catalogue.items():
        files = ", ".join(f"{v['file']} ({v['bytes'] / 1e6:.1f} MB)" for v in entry["onnx"].values())
        lines.append(f"{name}: {files}; predicted class {entry['predictedClass']} "
                     f"(top-2 margin {entry['top2Margin']:.4f})")
        for layer in entry["layers"]:
            lines.append(f"  {layer['role']:16} --layer {layer['onnxNode']}   (PyTorch: {layer['pytorchModule']})")
        if "tokenGrid" in entry:
            grid = entry["tokenGrid"]
            lines.append(f"  tokens [1, 1 + {grid['height']}*{grid['width']}, 768]: class token dropped, "
                         f"{grid['height']}x{grid['width']} grid (pytorch-grad-cam reshape_transform)")
        if name == "densenet121":
            lines.append("  /Relu is DenseNet.forward's F.relu after features (no module); the reference hooks")
            lines.append("  an nn.ReLU put in its place (torchvision_models.DenseNetScores), same values")
        lines.append("")
    (out / "README.txt").write_text("\n".join(lines))


if __name__ == "__main__":
    main()

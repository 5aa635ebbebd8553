"""pytorch-grad-cam's GradCAM maps for the models export_torchvision.py wrote, and its timing.

Map (run with PYTHONPATH=<pytorch-grad-cam source>, e.g. ../shared/anchors):
    reference_maps.py DIR NAME [--layer ROLE|MODULE] [--image PNG ...] [--class K] [--out OUT]
  DIR/NAME.pt rebuilt as torchvision's NAME; each PNG (default DIR/test-image.png; the model's
  size, RGB) preprocessed as gradcam's `--preprocess torch`; GradCAM for class K (default: the
  predicted one) at the layer (a role from DIR/models.json, default 'default', or a PyTorch
  module path; 'all': every role, into OUT (default DIR/reference) as NAME.ROLE.npy), at the
  layer's own resolution, ReLU then min-max normalized (pytorch-grad-cam's own steps). One
  image: OUT (default NAME.ROLE.npy) is float32 [h, w]; several: OUT is a folder of
  IMAGE-STEM.npy. Prints one JSON line per layer.

Timing:
    reference_maps.py DIR NAME --time [--layer ROLE] [--images N] [--threads T] [--repeats R]
  Times pytorch-grad-cam's whole process, start-up included, as wall-clock around a fresh
  Python process that imports torch/torchvision/pytorch_grad_cam, loads NAME.pt, reads N PNGs
  (N = 1: DIR/test-image.png; N > 1: DIR/batchN/*.png, seeded pictures written once), computes
  their maps in one GradCAM call (batch N) and writes one .npy per image, all with T threads
  (default 2). Prints one JSON line with every repeat's seconds and the median.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def parse():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("name")
    parser.add_argument("--layer", default="default", help="a role in DIR/models.json, a PyTorch module path, or all")
    parser.add_argument("--image", type=Path, nargs="+")
    parser.add_argument("--class", dest="class_index", type=int)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--time", action="store_true")
    parser.add_argument("--images", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    return parser.parse_args()


def resolve_layer(name, layer):
    """(role, PyTorch module path, ONNX node or None) for a role or a module path."""
    import torchvision_models as tv

    for role, module, node in tv.MODELS[name][1]:
        if layer in (role, module):
            return role, module, node
    return layer, layer, None


def compute(args):
    """The map(s), in this process. Returns one JSON-able record per layer."""
    # Threads before torch starts its pools.
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    import numpy as np
    import torch

    sys.path.insert(0, str(HERE))
    import common
    import torchvision_models as tv

    torch.set_num_threads(args.threads)
    model = tv.build(args.name, 0)
    model.load_state_dict(torch.load(args.dir / f"{args.name}.pt"))
    model.eval()
    explained = tv.explained(args.name, model)
    images = args.image or [args.dir / "test-image.png"]
    pictures = [common.read_png(path) for path in images]
    for path, picture in zip(images, pictures):
        if picture.shape != (tv.SIZE, tv.SIZE, 3):
            sys.exit(f"{path}: {picture.shape[1]}x{picture.shape[0]}, expected {tv.SIZE}x{tv.SIZE} RGB")
    x = torch.from_numpy(np.concatenate([common.torch_preprocess(p) for p in pictures]))
    transform = common.vit_reshape_transform(*tv.VIT_GRID) if args.name == "vit_b_16" else None
    with torch.no_grad():
        logits = explained(x)
    predicted = logits.argmax(1).tolist()
    classes = [args.class_index] * len(pictures) if args.class_index is not None else predicted
    layers = [role for role, _, _ in tv.MODELS[args.name][1]] if args.layer == "all" else [args.layer]
    records = []
    for layer in layers:
        role, module_path, node = resolve_layer(args.name, layer)
        maps = common.gradcam_maps(explained, explained.get_submodule(module_path), x, classes, transform)
        if args.layer == "all":
            folder = args.out or args.dir / "reference"
            folder.mkdir(parents=True, exist_ok=True)
            out = folder / f"{args.name}.{role}.npy" if len(pictures) == 1 else folder / f"{args.name}.{role}"
        else:
            out = args.out or Path(f"{args.name}.{role}.npy" if len(pictures) == 1 else f"{args.name}.{role}")
        if len(pictures) == 1:
            np.save(out, maps[0])
        else:
            out.mkdir(parents=True, exist_ok=True)
            for path, heatmap in zip(images, maps):
                np.save(out / f"{Path(path).stem}.npy", heatmap)
        records.append({
            "model": args.name,
            "layer": role,
            "pytorchModule": module_path,
            "onnxNode": node,
            "images": len(pictures),
            "predictedClass": predicted if len(predicted) > 1 else predicted[0],
            "class": classes if len(classes) > 1 else classes[0],
            "mapShape": list(maps.shape[1:]),
            "out": str(out),
        })
    return records


def batch_images(directory, count):
    """count seeded 224×224 pictures in DIR/batchN/, written once."""
    sys.path.insert(0, str(HERE))
    import common
    import torchvision_models as tv

    folder = directory / f"batch{count}"
    folder.mkdir(exist_ok=True)
    paths = [folder / f"image-{i:03d}.png" for i in range(count)]
    for i, path in enumerate(paths):
        if not path.exists():
            common.write_png(path, common.test_picture(tv.SIZE, tv.SIZE, 1000 + i))
    return paths


def time_process(args):
    images = [args.dir / "test-image.png"] if args.images == 1 else batch_images(args.dir, args.images)
    seconds = []
    with tempfile.TemporaryDirectory() as scratch:
        command = [sys.executable, str(Path(__file__).resolve()), str(args.dir), args.name, "--layer", args.layer,
                   "--threads", str(args.threads), "--out", str(Path(scratch) / ("map.npy" if len(images) == 1 else "maps")),
                   "--image", *map(str, images)]
        environment = {**os.environ, "OMP_NUM_THREADS": str(args.threads), "MKL_NUM_THREADS": str(args.threads)}
        for _ in range(args.repeats):
            started = time.perf_counter()
            subprocess.run(command, check=True, env=environment, stdout=subprocess.DEVNULL)
            seconds.append(time.perf_counter() - started)
    return {
        "model": args.name,
        "layer": args.layer,
        "images": len(images),
        "threads": args.threads,
        "peer": "pytorch-grad-cam GradCAM, whole process (python start, imports, weights, PNGs, maps, .npy)",
        "seconds": [round(s, 3) for s in seconds],
        "median": round(statistics.median(seconds), 3),
        "imagesPerSecond": round(len(images) / statistics.median(seconds), 3),
    }


def main():
    args = parse()
    sys.path.insert(0, str(HERE))
    if args.time:
        print(json.dumps(time_process(args)))
    else:
        for record in compute(args):
            print(json.dumps(record))


if __name__ == "__main__":
    main()

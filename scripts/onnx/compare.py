"""Compares gradcam's map with pytorch-grad-cam's, both at the layer's resolution.

Usage: /usr/bin/python3 scripts/onnx/compare.py OURS.npy THEIRS.npy [--tolerance 1e-3]
Each file holds one map, [h, w] (a leading or trailing axis of 1 is dropped). Both get
Grad-CAM's ReLU and pytorch-grad-cam's min-max normalization ((v - min) / (1e-7 + max)), which
leaves an already normalized map as it is; then prints the max and mean absolute difference and
whether the peaks fall on the same cell. Exit status 1 when the max difference exceeds the
tolerance, 2 when the maps cannot be compared (shapes differ: not at the same resolution).
"""
import argparse
import sys

import numpy as np


def load_map(path):
    values = np.load(path)
    squeezed = np.squeeze(values)
    if squeezed.ndim != 2:
        sys.exit(f"{path}: shape {values.shape} is not one [h, w] map")
    if not np.all(np.isfinite(squeezed)):
        sys.exit(f"{path}: holds NaN or infinity")
    return squeezed.astype(np.float64)


def normalize(heatmap):
    relu = np.maximum(heatmap, 0)
    shifted = relu - relu.min()
    return shifted / (1e-7 + shifted.max())


def main():
    parser = argparse.ArgumentParser(description="max |gradcam - pytorch-grad-cam| after min-max normalization")
    parser.add_argument("ours", help="gradcam's map (.npy)")
    parser.add_argument("theirs", help="pytorch-grad-cam's map (.npy)")
    parser.add_argument("--tolerance", type=float, default=1e-3)
    args = parser.parse_args()
    ours, theirs = load_map(args.ours), load_map(args.theirs)
    if ours.shape != theirs.shape:
        print(f"shapes differ: {ours.shape} vs {theirs.shape}: compare at the layer's resolution", file=sys.stderr)
        sys.exit(2)
    a, b = normalize(ours), normalize(theirs)
    difference = np.abs(a - b)
    same_peak = np.unravel_index(a.argmax(), a.shape) == np.unravel_index(b.argmax(), b.shape)
    print(f"max abs difference {difference.max():.3e} (mean {difference.mean():.3e}) over "
          f"{a.shape[0]}x{a.shape[1]}; peak {'same cell' if same_peak else 'DIFFERENT cells'}")
    sys.exit(0 if difference.max() <= args.tolerance else 1)


if __name__ == "__main__":
    main()

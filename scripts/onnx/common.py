"""Shared by the scripts in this folder: the test picture, `--preprocess torch`, batch-norm
calibration, pytorch-grad-cam's GradCAM at a layer's own resolution, and finding the ONNX node
that computes a PyTorch module's output. Run with Debian's /usr/bin/python3 and
PYTHONPATH=<pytorch-grad-cam source> (see README.md)."""
import re

import numpy as np
import torch
import torch.nn as nn

# torchvision's Normalize statistics, R, G, B on pixels scaled to [0, 1] (gradcam's 'torch' preset).
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def test_picture(height, width, seed):
    """A seeded RGB picture, uint8 [h, w, 3]: a smooth colour ramp, a disc and a bar, plus a little
    noise, so that maps have structure and no two fixtures see the same pixels."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    y /= max(height - 1, 1)
    x /= max(width - 1, 1)
    picture = np.stack([200 * x + 30, 160 * y + 40, 120 * (1 - x) * y + 60], axis=-1)
    cy, cx, r = rng.uniform(0.3, 0.7), rng.uniform(0.3, 0.7), rng.uniform(0.15, 0.3)
    disc = (y - cy) ** 2 + (x - cx) ** 2 < r * r
    picture[disc] = rng.uniform(0, 255, 3)
    top, left = rng.uniform(0.05, 0.6, 2)
    bar = (y > top) & (y < top + 0.2) & (x > left) & (x < left + 0.35)
    picture[bar] = rng.uniform(0, 255, 3)
    picture += rng.normal(0, 8, picture.shape)
    return np.clip(np.rint(picture), 0, 255).astype(np.uint8)


def torch_preprocess(rgb):
    """uint8 [h, w, 3] RGB -> float32 [1, 3, h, w]: gradcam's `--preprocess torch` bit for bit.
    gradcam computes pixel * (1 / (255 std)) + (-mean / std) in float64 and rounds to float32
    (src/model-input/preprocessing.ts, channelAffine + applyPreprocessing); the same here."""
    pixels = rgb.astype(np.float64)
    channels = []
    for c in range(3):
        scale = 1 / (255 * IMAGENET_STD[c])
        offset = -IMAGENET_MEAN[c] / IMAGENET_STD[c]
        channels.append((pixels[:, :, c] * scale + offset).astype(np.float32))
    return np.stack(channels)[None]


def write_png(path, rgb):
    import cv2

    if not cv2.imwrite(str(path), np.ascontiguousarray(rgb[:, :, ::-1])):
        raise OSError(f"could not write {path}")


def read_png(path):
    import cv2

    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise OSError(f"could not read {path}")
    return np.ascontiguousarray(bgr[:, :, ::-1])


def calibrate_batch_norm(model, input_shape, seed, passes=8, batch=8):
    """Random weights leave BN's running statistics at 0/1, which blows activations up in a deep
    net; a few forward passes in training mode on seeded inputs set them (cumulative average)."""
    generator = torch.Generator().manual_seed(seed)
    for module in model.modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            module.reset_running_stats()
            module.momentum = None
    model.train()
    with torch.no_grad():
        for _ in range(passes):
            model(torch.randn((batch, *input_shape[1:]), generator=generator))
    model.eval()


def vit_reshape_transform(grid_height, grid_width):
    """Tokens [n, 1 + h·w, c] -> [n, c, h, w], dropping the class token: the reshape_transform of
    pytorch-grad-cam's vision-transformer tutorial."""

    def transform(tokens):
        grid = tokens[:, 1:, :].reshape(tokens.size(0), grid_height, grid_width, tokens.size(2))
        return grid.permute(0, 3, 1, 2)

    return transform


def module_output(model, module, x, call=0):
    """The output of `module` at its `call`-th use in model(x) (a module such as torchvision
    ResNet's `relu` runs twice per block)."""
    outputs = []
    handle = module.register_forward_hook(lambda _m, _i, out: outputs.append(out.detach().clone()))
    try:
        with torch.no_grad():
            model(x)
    finally:
        handle.remove()
    return outputs[call]


def gradcam_maps(model, module, x, class_indices, reshape_transform=None):
    """pytorch-grad-cam's GradCAM maps for a batch x [n, 3, h, w], one class per image, at
    `module`'s first use in the forward pass (pytorch-grad-cam pairs activations and gradients of
    the first call), at the layer's own resolution: min-max normalized float32 [n, h, w]."""
    from pytorch_grad_cam import GradCAM
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

    activation = module_output(model, module, x)
    if reshape_transform is not None:
        activation = reshape_transform(activation)
    if activation.dim() != 4:
        raise ValueError(f"layer output {tuple(activation.shape)} is not [n, c, h, w]")
    height, width = activation.shape[2], activation.shape[3]
    with GradCAM(model=model, target_layers=[module], reshape_transform=reshape_transform) as cam:
        cam.get_target_width_height = lambda _x: (width, height)
        maps = cam(input_tensor=x, targets=[ClassifierOutputTarget(k) for k in class_indices])
        recorded = cam.activations_and_grads.activations[0]
    # The activation pytorch-grad-cam used is the one we meant (first call, same transform).
    if not torch.allclose(recorded, activation, rtol=1e-5, atol=1e-6):
        raise AssertionError("pytorch-grad-cam recorded a different activation than the layer's first call")
    return maps.astype(np.float32)


def gradcam_map(model, module, x, class_index, reshape_transform=None):
    """gradcam_maps for one image: float32 [h, w]."""
    return gradcam_maps(model, module, x, [class_index], reshape_transform)[0]


def minmax(values):
    """As pytorch-grad-cam's scale_cam_image: v - min, then / (1e-7 + max)."""
    values = np.asarray(values, dtype=np.float32)
    shifted = values - values.min()
    return shifted / (1e-7 + shifted.max())


# ---- ONNX side ----------------------------------------------------------------------------


def scope_of(node_name):
    """'/layer4/layer4.1/relu_1/Relu' -> (['layer4', 'layer4.1', 'relu_1'], 'Relu')."""
    parts = node_name.strip("/").split("/")
    return parts[:-1], parts[-1]


def module_path_and_call(scope, module_names):
    """torch.onnx.export's scope components -> (PyTorch module path, call index). A child of a
    container repeats the container's name ('conv', 'conv.1', 'conv.1.2' is conv[1][2]); a
    module used again gets a suffix ('relu_1' is the second call of `relu`)."""
    path = []
    for component in scope:
        if path and component.startswith(path[-1] + "."):
            path[-1] = component
        else:
            path.append(component)
    call = 0
    if path:
        full = ".".join(path)
        match = re.fullmatch(r"(.*)_(\d+)", path[-1])
        if full not in module_names and match:
            path[-1] = match.group(1)
            call = int(match.group(2))
    return ".".join(path), call


def onnx_layer(model_proto, module_names, module_path, shape, call=0):
    """The ONNX node computing the output of PyTorch module `module_path` (its `call`-th use),
    recognised by scope: the node inside the module's scope whose output leaves the scope (or is
    a graph output) and has the module's output shape. Returns (node name, output name)."""
    import onnx

    inferred = onnx.shape_inference.infer_shapes(model_proto)
    shapes = {}
    for value in list(inferred.graph.value_info) + list(inferred.graph.output) + list(inferred.graph.input):
        dims = value.type.tensor_type.shape.dim
        shapes[value.name] = [d.dim_value if d.HasField("dim_value") else None for d in dims]
    nodes = list(model_proto.graph.node)
    inside = []
    for node in nodes:
        scope, _ = scope_of(node.name)
        path, node_call = module_path_and_call(scope, module_names)
        # The whole scope belongs to the module's call when the module's own component carries it.
        if path == module_path and node_call == call:
            inside.append(node)
        elif path.startswith(module_path + ".") and call == 0:
            inside.append(node)
    inside_names = {n.name for n in inside}
    graph_outputs = {o.name for o in model_proto.graph.output}
    candidates = []
    for node in inside:
        for output in node.output:
            used_outside = output in graph_outputs or any(
                output in other.input for other in nodes if other.name not in inside_names
            )
            # Shape inference may not know a shape behind a computed Reshape: then any fits.
            known = shapes.get(output) or None
            fits = known is None or len(known) == len(shape) and all(
                k is None or k == s for k, s in zip(known[1:], shape[1:]))
            if used_outside and fits:
                candidates.append((node.name, output))
    if len(candidates) != 1:
        raise ValueError(f"{module_path} (call {call}): expected one ONNX node, found {candidates}")
    return candidates[0]


def op_types(model_proto):
    """Every op type in the graph (subgraphs included), sorted."""
    found = set()

    def walk(graph):
        for node in graph.node:
            found.add(node.op_type)
            for attribute in node.attribute:
                if attribute.g is not None and attribute.g.node:
                    walk(attribute.g)

    walk(model_proto.graph)
    return sorted(found)

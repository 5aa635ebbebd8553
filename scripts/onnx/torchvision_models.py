"""The torchvision classifiers issue 20 names: how each is built with seeded random weights, the
layers its maps are compared at, and the opsets it is exported at. Shared by
export_torchvision.py and reference_maps.py."""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

SIZE = 224

# name: (opsets, [(role, PyTorch module path, ONNX node name)]). The module's output (its first
# call) is the ONNX node's output. The ONNX names are those torch 1.13's exporter writes; the
# export checks each one against the graph.
MODELS = {
    "resnet18": ((13, 17), [
        ("default", "layer4.1", "/layer4/layer4.1/relu_1/Relu"),
        ("residual-branch", "layer4.1.relu", "/layer4/layer4.1/relu/Relu"),
    ]),
    "resnet50": ((13, 17), [
        ("default", "layer4.2", "/layer4/layer4.2/relu_2/Relu"),
        ("residual-branch", "layer4.2.relu", "/layer4/layer4.2/relu/Relu"),
    ]),
    "mobilenet_v2": ((13, 17), [
        ("default", "features.18", "/features/features.18/features.18.2/Clip"),
        ("residual-branch", "features.16.conv.1", "/features/features.16/conv/conv.1/conv.1.2/Clip"),
    ]),
    "vgg11_bn": ((13, 17), [
        ("default", "features.27", "/features/features.27/Relu"),
        ("earlier", "features.24", "/features/features.24/Relu"),
    ]),
    "densenet121": ((13, 17), [
        # DenseNet.forward applies F.relu after `features`; see DenseNetScores.
        ("default", "final_relu", "/Relu"),
        ("dense-branch", "features.denseblock4.denselayer16.conv2",
         "/features/denseblock4/denselayer16/conv2/Conv"),
    ]),
    "efficientnet_b0": ((13, 17), [
        ("default", "features.8", "/features/features.8/features.8.2/Mul"),
        ("residual-branch", "features.6.3.block.1", "/features/features.6/features.6.3/block/block.1/block.1.2/Mul"),
    ]),
    "convnext_tiny": ((13, 17), [
        ("default", "features.7.2", "/features/features.7/features.7.2/Add"),
        ("residual-branch", "features.7.2.block.0", "/features/features.7/features.7.2/block/block.0/Conv"),
    ]),
    "vit_b_16": ((17,), [
        ("default", "encoder.layers.encoder_layer_11.ln_1",
         "/encoder/layers/encoder_layer_11/ln_1/LayerNormalization"),
        ("residual-branch", "encoder.layers.encoder_layer_10.mlp.1",
         "/encoder/layers/encoder_layer_10/mlp/mlp.1/Mul_1"),
    ]),
}

# vit_b_16: 16×16 patches of 224×224 -> a 14×14 token grid after the class token.
VIT_GRID = (SIZE // 16, SIZE // 16)


def build(name, seed):
    """The torchvision model with default-initialised weights under torch.manual_seed(seed)."""
    torch.manual_seed(seed)
    return getattr(torchvision.models, name)(weights=None).eval()


class DenseNetScores(nn.Module):
    """torchvision's DenseNet.forward step for step (features, ReLU, global average pool, flatten,
    classifier), with the ReLU as a module so pytorch-grad-cam can hook the node gradcam calls
    `/Relu`: the exported graph's last spatial tensor. Same modules, same values."""

    def __init__(self, densenet):
        super().__init__()
        self.features = densenet.features
        self.final_relu = nn.ReLU(inplace=True)
        self.classifier = densenet.classifier

    def forward(self, x):
        out = self.final_relu(self.features(x))
        return self.classifier(torch.flatten(F.adaptive_avg_pool2d(out, (1, 1)), 1))


def explained(name, model):
    """The module pytorch-grad-cam is given for `name` (the model, or an equivalent wrapper)."""
    return DenseNetScores(model).eval() if name == "densenet121" else model

"""PyTorch peer of gradcam's training recipes, for `npm run bench -- --peer`: training images/s and
CPU utilization (CPU seconds per wall second) of the same network and step on the same real images
gradcam's side of the bench trains on. Recipes:
  cifar10  VGG-11 widths x 0.25, batch norm, pools after conv1,2,4,8 (conv5-8 at 4x4), fc 512-512,
           random crop pad 4 + flip per batch as ../shared/bench/peer_cifar_train.py does
  mnist    widths x 0.125, batch norm, pools after conv1,2,8, no augmentation
  full     widths x 1, no batch norm (convolutions with bias), pools after conv1,2,4,6,8 (the layout of
           ../shared/bench/peer_torch.py), crop + flip
Images are the first BATCH x STEPS of the training files (CIFAR-10 binary version, or MNIST IDX),
normalized with their per-channel mean and std as gradcam does.

Usage: /usr/bin/python3 bench/peer_recipe.py cifar10|mnist|full THREADS DATA_DIR STEPS BATCH DROPOUT LABEL_SMOOTHING OPTIMIZER LR WEIGHT_DECAY
(bench/run.mjs passes gradcam's recipe). Prints one JSON line."""
import json, math, os, sys, time
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F

RECIPES = {
    # recipe: (side, channels, width, batch norm, pools after these convs, augment)
    "cifar10": (32, 3, 0.25, True, {1, 2, 4, 8}, True),
    "mnist": (28, 1, 0.125, True, {1, 2, 8}, False),
    "full": (32, 3, 1.0, False, {1, 2, 4, 6, 8}, True),
}
if len(sys.argv) != 11:
    sys.exit(__doc__.split("\n\n")[-1])
recipe, threads, data, steps = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
batch, dropout, label_smoothing = int(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7])
optimizer, lr, weight_decay = sys.argv[8], float(sys.argv[9]), float(sys.argv[10])
side, channels, width, batch_norm, pool_after, augment = RECIPES[recipe]
torch.set_num_threads(threads)
torch.manual_seed(0)
rng = np.random.default_rng(0)
count = batch * steps


def cifar10(directory):
    """NCHW uint8 images and int64 labels of the first `count` records of data_batch_1.bin, 2, ..."""
    records = np.concatenate([np.fromfile(os.path.join(directory, f"data_batch_{b}.bin"), np.uint8) for b in range(1, 6)])
    records = records.reshape(-1, 3073)[:count]
    return records[:, 1:].reshape(-1, 3, 32, 32), records[:, 0].astype(np.int64)


def mnist(directory):
    images = np.fromfile(os.path.join(directory, "train-images-idx3-ubyte"), np.uint8)[16:].reshape(-1, 1, 28, 28)
    labels = np.fromfile(os.path.join(directory, "train-labels-idx1-ubyte"), np.uint8)[8:].astype(np.int64)
    return images[:count], labels[:count]


pixels, labels = mnist(data) if recipe == "mnist" else cifar10(data)
if len(pixels) < count:
    sys.exit(f"{data}: {len(pixels)} training images, the bench needs {count}")
mean = torch.tensor(pixels.reshape(count, channels, -1).mean(axis=(0, 2)) / 255).float().view(1, channels, 1, 1)
std = torch.tensor((pixels.reshape(count, channels, -1) / 255).std(axis=(0, 2))).float().view(1, channels, 1, 1)

layers, c, s = [], channels, side
for i, v in enumerate([64, 128, 256, 256, 512, 512, 512, 512], 1):
    o = max(8, round(v * width))
    if batch_norm:
        layers += [nn.Conv2d(c, o, 3, padding=1, bias=False), nn.BatchNorm2d(o, momentum=0.1), nn.ReLU()]
    else:
        layers += [nn.Conv2d(c, o, 3, padding=1), nn.ReLU()]
    c = o
    if i in pool_after:
        layers.append(nn.MaxPool2d(2, 2, ceil_mode=True))
        s = math.ceil(s / 2)
model = nn.Sequential(*layers, nn.Flatten(), nn.Linear(c * s * s, 512), nn.ReLU(), nn.Dropout(dropout),
                      nn.Linear(512, 512), nn.ReLU(), nn.Dropout(dropout), nn.Linear(512, 10))
if optimizer == "adam":
    opt = torch.optim.Adam(model.parameters(), lr, weight_decay=weight_decay)
else:
    opt = torch.optim.SGD(model.parameters(), lr, momentum=0.9, nesterov=optimizer == "nesterov", weight_decay=weight_decay)


def step(k):
    x = (torch.from_numpy(pixels[k * batch:(k + 1) * batch]).float() / 255 - mean) / std
    if augment:
        x = F.pad(x, (4, 4, 4, 4))
        off = rng.integers(0, 9, (batch, 2))
        x = torch.stack([x[j, :, a:a + side, b:b + side] for j, (a, b) in enumerate(off)])
        flip = torch.rand(batch) < 0.5
        x[flip] = x[flip].flip(3)
    loss = F.cross_entropy(model(x), torch.from_numpy(labels[k * batch:(k + 1) * batch]), label_smoothing=label_smoothing)
    opt.zero_grad()
    loss.backward()
    opt.step()


model.train()
warmup = 3
for k in range(warmup):
    step(k)
wall0, cpu0 = time.perf_counter(), time.process_time()
for k in range(warmup, steps):
    step(k)
wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
print(json.dumps({"phase": "train", "system": "pytorch", "torch": torch.__version__, "model": "vgg11-cifar10-peer-topology" if recipe == "full" else f"{recipe}-default",
                  "data": data, "threads": threads, "width": width, "batchSize": batch, "dropout": dropout, "labelSmoothing": label_smoothing,
                  "optimizer": optimizer, "weightDecay": weight_decay,
                  "images_per_second": round((steps - warmup) * batch / wall, 1), "cpu_seconds_per_wall_second": round(cpu / wall, 2)}))

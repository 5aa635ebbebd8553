"""PyTorch peer of gradcam's default training recipes, for `npm run bench -- --peer`: training
images/s of the same network and step (VGG-11 widths x WIDTH, batch norm, pools as gradcam places
them, fc 512-512 with dropout, Adam, cross-entropy (label smoothing); CIFAR-10 with random crop pad 4 +
flip done per batch as ../shared/bench/peer_cifar_train.py does), on random data of the dataset's
shape: throughput does not depend on the pixels.

Usage: /usr/bin/python3 bench/peer_recipe.py cifar10|mnist THREADS [STEPS [BATCH DROPOUT LABEL_SMOOTHING OPTIMIZER LR WEIGHT_DECAY]]
(bench/run.mjs passes gradcam's defaults; without them: batch 64, dropout 0.5, no smoothing, Adam 1e-3)
Prints one JSON line."""
import json, math, sys, time
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F

RECIPES = {
    # dataset: (side, channels, width, pools after these convs, augment)
    "cifar10": (32, 3, 0.25, {1, 2, 4, 8}, True),
    "mnist": (28, 1, 0.125, {1, 2, 8}, False),
}
dataset, threads = sys.argv[1], int(sys.argv[2])
steps = int(sys.argv[3]) if len(sys.argv) > 3 else 30
batch, dropout, label_smoothing = (int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])) if len(sys.argv) > 6 else (64, 0.5, 0.0)
optimizer, lr, weight_decay = (sys.argv[7], float(sys.argv[8]), float(sys.argv[9])) if len(sys.argv) > 9 else ("adam", 1e-3, 0.0)
side, channels, width, pool_after, augment = RECIPES[dataset]
torch.set_num_threads(threads)
torch.manual_seed(0)
rng = np.random.default_rng(0)

layers, c, s = [], channels, side
for i, v in enumerate([64, 128, 256, 256, 512, 512, 512, 512], 1):
    o = max(8, round(v * width))
    layers += [nn.Conv2d(c, o, 3, padding=1, bias=False), nn.BatchNorm2d(o, momentum=0.1), nn.ReLU()]
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
pixels = rng.integers(0, 256, (batch * steps, channels, side, side), dtype=np.uint8)
labels = rng.integers(0, 10, batch * steps)


def step(k):
    x = torch.from_numpy(pixels[k * batch:(k + 1) * batch]).float() / 255
    x = (x - 0.5) / 0.25
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
for k in range(3):
    step(k)  # warm-up
t0 = time.perf_counter()
for k in range(3, steps):
    step(k)
seconds = time.perf_counter() - t0
print(json.dumps({"phase": "train", "system": "pytorch", "torch": torch.__version__, "recipe": f"{dataset}-default",
                  "threads": threads, "width": width, "batchSize": batch, "dropout": dropout, "labelSmoothing": label_smoothing, "optimizer": optimizer, "weightDecay": weight_decay,
                  "images_per_second": round((steps - 3) * batch / seconds, 1)}))

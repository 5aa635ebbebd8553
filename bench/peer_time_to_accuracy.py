"""PyTorch peer of `gradcam train --dataset cifar10 --data DIR` for bench/time-to-accuracy.mjs: the same
network (VGG-11 widths x WIDTH, batch norm, pools after conv1,2,4,8, fc 512-512), augmentation (crop pad 4 +
flip), normalization (per-channel mean/std of the training images) and recipe (RECIPE_JSON: gradcam's
TRAINING_DEFAULTS.cifar10: epochs, batchSize, optimizer, learningRate, weightDecay, labelSmoothing,
warmupEpochs, dropout, width; linear warm-up then cosine to 0, per step), on the CIFAR-10 binary version in
DIR. Like gradcam it evaluates the test batch after every epoch, and the clock runs through it.
After ../shared/bench/peer_cifar_train.py.

Usage: /usr/bin/python3 bench/peer_time_to_accuracy.py DIR THREADS RECIPE_JSON
Prints one JSON line per epoch (wall seconds since the start of training, test accuracy)."""
import json, math, os, sys, time
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F

if len(sys.argv) != 4:
    sys.exit(__doc__.split("\n\n")[-1])
d, threads, R = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
torch.set_num_threads(threads)
torch.manual_seed(0)
np.random.seed(0)


def load(names):
    raw = np.concatenate([np.fromfile(os.path.join(d, n), np.uint8).reshape(-1, 3073) for n in names])
    return raw[:, 1:].reshape(-1, 3, 32, 32), raw[:, 0].astype(np.int64)


xtr, ytr = load([f"data_batch_{i}.bin" for i in range(1, 6)])
xte, yte = load(["test_batch.bin"])
mean = xtr.reshape(-1, 3, 1024).mean(axis=(0, 2)) / 255
std = (xtr.reshape(-1, 3, 1024) / 255).std(axis=(0, 2))


def norm(x):
    return (torch.from_numpy(x).float() / 255 - torch.tensor(mean).float().view(1, 3, 1, 1)) / torch.tensor(std).float().view(1, 3, 1, 1)


layers, c = [], 3
for i, v in enumerate([64, 128, 256, 256, 512, 512, 512, 512], 1):
    o = max(8, round(v * R["width"]))
    layers += [nn.Conv2d(c, o, 3, padding=1, bias=False), nn.BatchNorm2d(o, momentum=0.1), nn.ReLU()]
    c = o
    if i in {1, 2, 4, 8}:
        layers.append(nn.MaxPool2d(2, 2, ceil_mode=True))
drop = R["dropout"]
model = nn.Sequential(*layers, nn.Flatten(), nn.Linear(c * 4, 512), nn.ReLU(), nn.Dropout(drop),
                      nn.Linear(512, 512), nn.ReLU(), nn.Dropout(drop), nn.Linear(512, 10))
bs, epochs = R["batchSize"], R["epochs"]
per_epoch = math.ceil(len(xtr) / bs)
steps = epochs * per_epoch
if R["optimizer"] == "adam":
    opt = torch.optim.Adam(model.parameters(), R["learningRate"], weight_decay=R["weightDecay"])
else:
    opt = torch.optim.SGD(model.parameters(), R["learningRate"], momentum=0.9, nesterov=R["optimizer"] == "nesterov",
                          weight_decay=R["weightDecay"])
warm = round(R["warmupEpochs"] * per_epoch)


def rate(s):  # gradcam's schedule.ts: lr·(s+1)/warm during the warm-up, then cosine over the rest
    if s < warm:
        return (s + 1) / warm
    return 0.5 * (1 + math.cos(math.pi * min(s - warm, steps - warm) / max(1, steps - warm)))


sched = torch.optim.lr_scheduler.LambdaLR(opt, rate)
t0 = time.perf_counter()
cpu0 = time.process_time()
for ep in range(1, epochs + 1):
    model.train()
    perm = np.random.permutation(len(xtr))
    for b in range(0, len(xtr), bs):
        idx = perm[b:b + bs]
        x = F.pad(norm(xtr[idx]), (4, 4, 4, 4))
        off = np.random.randint(0, 9, (len(idx), 2))
        x = torch.stack([x[k, :, a:a + 32, c2:c2 + 32] for k, (a, c2) in enumerate(off)])
        flip = torch.rand(len(idx)) < 0.5
        x[flip] = x[flip].flip(3)
        loss = F.cross_entropy(model(x), torch.from_numpy(ytr[idx]), label_smoothing=R["labelSmoothing"])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    model.eval()
    correct = 0
    with torch.no_grad():
        for b in range(0, len(xte), 500):
            correct += int((model(norm(xte[b:b + 500])).argmax(1).numpy() == yte[b:b + 500]).sum())
    print(json.dumps({"system": "pytorch", "torch": torch.__version__, "threads": threads, "epoch": ep,
                      "wallSeconds": round(time.perf_counter() - t0, 1), "cpuSeconds": round(time.process_time() - cpu0, 1),
                      "testAccuracy": correct / len(xte), "trainImages": len(xtr), "testImages": len(xte)}), flush=True)

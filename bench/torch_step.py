#!/usr/bin/python3
"""PyTorch CPU's time for the benchmark's Gatys step, for `npm run bench` to print next to ours.

The same step as bench/suite.ts: float32, one content and one style picture of SIZE×SIZE, the
network's default layers (VGG19 to conv5_1: content conv4_2, style conv1_1…conv5_1, max pooling;
SqueezeNet 1.1 to fire5: content fire2, style conv1, fire2…fire5), the content and style targets
computed once outside the step; a step is the forward, the losses (content, Gram style, TV), the
backward to the image and an Adam update of the image. Weights are random (the time does not
depend on their values). Best of --repeats after one warm-up step. Prints one JSON object.

usage: /usr/bin/python3 bench/torch_step.py --network vgg19|squeezenet --sizes 64,128 --threads N [--repeats 2]
"""
import argparse
import json
import time

import torch
import torchvision

# where each layer's rectified output is in torchvision's `features`
VGG19_OUT = {"conv1_1": 1, "conv2_1": 6, "conv3_1": 11, "conv4_1": 20, "conv4_2": 22, "conv5_1": 29}
SQUEEZENET_OUT = {"conv1": 1, "fire2": 3, "fire3": 4, "fire4": 6, "fire5": 7}
DEFAULTS = {
    "vgg19": ("conv4_2", ["conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1"]),
    "squeezenet": ("fire2", ["conv1", "fire2", "fire3", "fire4", "fire5"]),
}


def network(name):
    if name == "vgg19":
        return torchvision.models.vgg19().features[:30].eval(), VGG19_OUT
    return torchvision.models.squeezenet1_1().features[:8].eval(), SQUEEZENET_OUT


def features(model, index_of, x, names):
    wanted = {index_of[n]: n for n in names}
    out = {}
    for i, m in enumerate(model):
        x = m(x)
        if i in wanted:
            out[wanted[i]] = x
            if len(out) == len(wanted):
                break
    return out


def gram(f):
    c = f.shape[1]
    f = f.reshape(c, -1)
    return f @ f.t() / f.shape[1]


def time_step(net, size, repeats):
    model, index_of = network(net)
    for p in model.parameters():
        p.requires_grad_(False)
    content_layer, style_layers = DEFAULTS[net]
    torch.manual_seed(1)
    content, style = torch.rand(1, 3, size, size), torch.rand(1, 3, size, size)
    with torch.no_grad():
        p = features(model, index_of, content, [content_layer])[content_layer]
        targets = {n: gram(f) for n, f in features(model, index_of, style, style_layers).items()}
    image = content.clone().requires_grad_(True)
    adam = torch.optim.Adam([image], lr=0.05)

    def step():
        adam.zero_grad()
        f = features(model, index_of, image, [content_layer, *style_layers])
        loss = 0.5 * ((f[content_layer] - p) ** 2).sum()
        for n in style_layers:
            c = f[n].shape[1]
            loss = loss + ((gram(f[n]) - targets[n]) ** 2).sum() / (4 * c * c)
        tv = ((image[:, :, :, 1:] - image[:, :, :, :-1]) ** 2).sum() + ((image[:, :, 1:, :] - image[:, :, :-1, :]) ** 2).sum()
        (loss + tv).backward()
        adam.step()

    step()
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        step()
        best = min(best, time.perf_counter() - t0)
    return best * 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--network", choices=["vgg19", "squeezenet"], required=True)
    ap.add_argument("--sizes", required=True)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--repeats", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    sizes = [int(s) for s in a.sizes.split(",")]
    steps = [{"network": a.network, "size": s, "ms": time_step(a.network, s, a.repeats)} for s in sizes]
    print(json.dumps({"version": torch.__version__, "threads": a.threads, "steps": steps}))


if __name__ == "__main__":
    main()

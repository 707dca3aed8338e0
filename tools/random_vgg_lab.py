#!/usr/bin/python3
"""Research bench for the offline default network (random-weight VGG19), in PyTorch on the CPU.

It mirrors the engine's reconstructions (Gatys et al., Fig. 1): from white noise (0.25 of the
pixel range, in network units), Adam, content loss 1/2 sum (F - P)^2 on one layer, style loss
sum_l 1/(4 N_l^2) sum (G_l - A_l)^2 with G = F F^T / M, and scores each result with the two
numbers of `npm run quality`: SSIM of luminance to the original and the high-frequency ratio
(mean |Laplacian| of the result's luminance over the original's). torch is only a research and
test tool here; the engine never uses it. The scheme that wins is ported to
src/nst/defaults.ts (RANDOM_NETWORK_DEFAULTS), and the engine's own numbers come from `npm run quality`.

usage: /usr/bin/python3 tools/random_vgg_lab.py IMAGE SIZE STEPS SCHEME[,SCHEME...] [--mode content|style|both]
schemes: see SCHEMES below.
"""
import json
import math
import sys
import time

import torch
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from torch_reference import layer_specs  # noqa: E402

torch.set_num_threads(2)
MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
CONVS = layer_specs()  # (name, in, out, pool after), shared with the PyTorch reference


def load(path, size):
    img = Image.open(path).convert("RGB")
    w, h = img.size
    s = size / max(w, h)
    img = img.resize((max(1, round(w * s)), max(1, round(h * s))), Image.BILINEAR)
    x = torch.tensor(list(img.getdata()), dtype=torch.float32).view(img.size[1], img.size[0], 3).permute(2, 0, 1)[None] / 255
    return x


class Net:
    def __init__(self, weights, pooling="max", scales=None):
        self.w = weights  # name -> (W, b)
        self.pooling = pooling
        self.scales = scales or {}

    def features(self, x, names):
        out, h = {}, x
        last = max(CONVS.index(next(c for c in CONVS if c[0] == n)) for n in names)
        for name, _, _, pool in CONVS[: last + 1]:
            w, b = self.w[name]
            h = F.relu(F.conv2d(h, w, b, padding=1))
            if name in names:
                out[name] = h * self.scales.get(name, 1.0)
            if pool:
                h = F.max_pool2d(h, 2) if self.pooling == "max" else F.avg_pool2d(h, 2)
        return out


def gram(f):
    c = f.shape[1]
    m = f.shape[2] * f.shape[3]
    f = f.view(c, m)
    return f @ f.t() / m


def style_loss(net, layers, targets, beta=1e4):
    """beta * sum_l 1/(4 N_l^2) sum (G_l - A_l)^2; beta = 1e4 as stylize's default, so one TV weight suits both modes."""
    return lambda x: beta * sum(((gram(fx) - targets[l]) ** 2).sum() / (4 * fx.shape[1] ** 2) for l, fx in net.features(x, layers).items())


def optimise(net, target_fn, shape, steps, lr, seed, tv=0.0):
    g = torch.Generator().manual_seed(seed)
    x = (torch.randn(shape, generator=g) * 0.25 / STD).requires_grad_(True)
    opt = torch.optim.Adam([x], lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        loss = target_fn(x)
        if tv:
            loss = loss + tv * (((x[..., 1:, :] - x[..., :-1, :]) ** 2).sum() + ((x[..., :, 1:] - x[..., :, :-1]) ** 2).sum())
        loss.backward()
        opt.step()
    return (x.detach() * STD + MEAN).clamp(0, 1)


def luminance(img):
    return (0.299 * img[:, 0] + 0.587 * img[:, 1] + 0.114 * img[:, 2])[:, None]


def ssim(a, b):
    ya, yb = luminance(a), luminance(b)
    k = torch.arange(11, dtype=a.dtype) - 5
    k = torch.exp(-(k ** 2) / (2 * 1.5 ** 2))
    k = (k / k.sum())
    win = (k[:, None] * k[None, :])[None, None]
    mu = lambda t: F.conv2d(t, win)
    ma, mb = mu(ya), mu(yb)
    va = mu(ya * ya) - ma ** 2
    vb = mu(yb * yb) - mb ** 2
    cov = mu(ya * yb) - ma * mb
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    s = ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma ** 2 + mb ** 2 + c1) * (va + vb + c2))
    return float(s.mean())


def hf(img):
    y = luminance(img)[0, 0]
    lap = 4 * y[1:-1, 1:-1] - y[:-2, 1:-1] - y[2:, 1:-1] - y[1:-1, :-2] - y[1:-1, 2:]
    return float(lap.abs().mean())


# ---------------------------------------------------------------- weight schemes

def he(name, c_in, c_out, g):
    return torch.randn(c_out, c_in, 3, 3, generator=g) * math.sqrt(2 / (c_in * 9))


def zero_mean(name, c_in, c_out, g):
    w = he(name, c_in, c_out, g)
    w = w - w.mean(dim=(1, 2, 3), keepdim=True)
    return w / w.flatten(1).std(dim=1).view(-1, 1, 1, 1) * math.sqrt(2 / (c_in * 9))


def orthogonal(name, c_in, c_out, g):
    a = torch.randn(max(c_out, c_in * 9), min(c_out, c_in * 9), generator=g)
    q, r = torch.linalg.qr(a)
    q = q * torch.sign(torch.diagonal(r))
    w = q if c_out >= c_in * 9 else q.t()
    w = w[:c_out, : c_in * 9] if c_out >= c_in * 9 else w
    return w.reshape(c_out, c_in, 3, 3) * math.sqrt(2)


def make(scheme, seed=1):
    g = torch.Generator().manual_seed(seed)
    base = scheme.split("+")[0]
    gen = {"he": he, "zm": zero_mean, "orth": orthogonal}[base]
    return {n: (gen(n, ci, co, g), torch.zeros(co)) for n, ci, co, _ in CONVS}


def normalise(net, images, names):
    """Gatys-style: scale each filter (and its bias) so its mean activation over `images` is 1, layer by layer."""
    for n, ci, co, _ in CONVS:
        acts = [net.features(x, [n])[n] for x in images]
        m = torch.stack([a.mean(dim=(0, 2, 3)) for a in acts]).mean(0).clamp_min(1e-8)
        w, b = net.w[n]
        net.w[n] = (w / m.view(-1, 1, 1, 1), b / m)
    return net


def data_dependent(net, images):
    """LSUV-style: layer by layer, each filter's pre-activation over `images` gets mean 0 and std 1."""
    for n, ci, co, _ in CONVS:
        w, b = net.w[n]
        net.w[n] = (w, torch.zeros_like(b))
        pre = []
        for x in images:
            # the input of layer n: run up to the previous layer
            h = x
            for m, _, _, pool in CONVS[: CONVS.index((n, ci, co, _))]:
                wm, bm = net.w[m]
                h = F.relu(F.conv2d(h, wm, bm, padding=1))
                if pool:
                    h = F.max_pool2d(h, 2) if net.pooling == "max" else F.avg_pool2d(h, 2)
            pre.append(F.conv2d(h, w, None, padding=1).transpose(0, 1).flatten(1))
        z = torch.cat(pre, 1)
        mean, std = z.mean(1), z.std(1).clamp_min(1e-8)
        net.w[n] = (w / std.view(-1, 1, 1, 1), -mean / std)
    return net


def build(scheme, images, seed=1):
    parts = scheme.split("+")
    pooling = "avg" if "avg" in parts else "max"
    net = Net(make(scheme, seed), pooling)
    with torch.no_grad():
        if "dd" in parts:
            data_dependent(net, images)
        if "norm" in parts:
            normalise(net, images, [c[0] for c in CONVS])
    return net


def run(image_path, size, steps, schemes, mode):
    img = load(image_path, size)
    x0 = (img - MEAN) / STD
    report = []
    for scheme in schemes:
        parts = scheme.split("+")
        lr = float(next((p[2:] for p in parts if p.startswith("lr")), 0.1))
        tv = float(next((p[2:] for p in parts if p.startswith("tv")), 0))
        net = build(scheme, [x0])
        row = {"scheme": scheme}
        t0 = time.time()
        if mode in ("content", "both"):
            for layer in ["conv3_2", "conv4_2"]:
                with torch.no_grad():
                    p = net.features(x0, [layer])[layer]
                out = optimise(net, lambda x: 0.5 * ((net.features(x, [layer])[layer] - p) ** 2).sum(), x0.shape, steps, lr, 1, tv)
                row[f"content {layer} ssim"] = round(ssim(out, img), 3)
                row[f"content {layer} hf"] = round(hf(out) / hf(img), 2)
        if mode in ("style", "both"):
            sets = ["conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1"]
            for k in [3, 5]:
                layers = sets[:k]
                with torch.no_grad():
                    fs = net.features(x0, layers)
                    targets = {l: gram(fs[l]) for l in layers}

                out = optimise(net, style_loss(net, layers, targets), x0.shape, steps, lr, 1, tv)
                row[f"style ..{layers[-1]} hf"] = round(hf(out) / hf(img), 2)
        row["seconds"] = round(time.time() - t0, 1)
        print(json.dumps(row), flush=True)
        report.append(row)
    return report


if __name__ == "__main__":
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    mode = sys.argv[sys.argv.index("--mode") + 1] if "--mode" in sys.argv else "both"
    run(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].split(","), mode)


def stylize(content_path, style_path, size, steps, scheme, out_path, alpha=1.0, beta=1e4, lr=0.05):
    """Gatys et al. as the engine's defaults (content conv4_2, style conv1_1..conv5_1, init content), for looking at results."""
    parts = scheme.split("+")
    tv = float(next((p[2:] for p in parts if p.startswith("tv")), 0))
    beta = float(next((p[1:] for p in parts if p.startswith("b")), beta))
    c = load(content_path, size)
    s = load(style_path, size)
    xc, xs = (c - MEAN) / STD, (s - MEAN) / STD
    net = build(scheme, [xc])
    style_layers = ["conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1"]
    with torch.no_grad():
        p = net.features(xc, ["conv4_2"])["conv4_2"]
        fs = net.features(xs, style_layers)
        a = {l: gram(fs[l]) for l in style_layers}
    x = xc.clone().requires_grad_(True)
    opt = torch.optim.Adam([x], lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        f = net.features(x, style_layers + ["conv4_2"])
        loss = alpha * 0.5 * ((f["conv4_2"] - p) ** 2).sum()
        loss = loss + beta * sum(((gram(f[l]) - a[l]) ** 2).sum() / (4 * f[l].shape[1] ** 2) for l in style_layers)
        loss = loss + tv * (((x[..., 1:, :] - x[..., :-1, :]) ** 2).sum() + ((x[..., :, 1:] - x[..., :, :-1]) ** 2).sum())
        loss.backward()
        opt.step()
    img = (x.detach() * STD + MEAN).clamp(0, 1)[0].permute(1, 2, 0)
    Image.fromarray((img * 255).round().byte().numpy()).save(out_path)


def table(images, sizes, steps, pooling="avg", tv_content=0.002, tv_style=0.0005):
    """The offline default as shipped (He-normal seed-1 weights, avg pooling, TV priors): conv4_2 content and all five style sets."""
    sets = ["conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1"]
    for path in images:
        for size in sizes:
            img = load(path, size)
            x0 = (img - MEAN) / STD
            net = Net(make("he", 1), pooling)
            t0 = time.time()
            with torch.no_grad():
                p = net.features(x0, ["conv4_2"])["conv4_2"]
            out = optimise(net, lambda x: 0.5 * ((net.features(x, ["conv4_2"])["conv4_2"] - p) ** 2).sum(), x0.shape, steps, 0.1, 1, tv_content)
            row = {"image": path.split("/")[-1], "size": size, "conv4_2 ssim": round(ssim(out, img), 2), "conv4_2 hf": round(hf(out) / hf(img), 2)}
            for k in range(1, 6):
                layers = sets[:k]
                with torch.no_grad():
                    fs = net.features(x0, layers)
                    targets = {l: gram(fs[l]) for l in layers}

                out = optimise(net, style_loss(net, layers, targets), x0.shape, steps, 0.1, 1, tv_style)
                row[f"style ..{layers[-1]} hf"] = round(hf(out) / hf(img), 2)
            row["seconds"] = round(time.time() - t0)
            print(json.dumps(row), flush=True)

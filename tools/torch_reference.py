#!/usr/bin/python3
"""Independent reference for the engine's loss and image gradient, in PyTorch (float64, CPU).

VGG19 is written out here; SqueezeNet 1.1 is torchvision's own squeezenet1_1 with our weights.
Reads what `npm run gradient` writes (PREFIX.json + raw inputs) and our raw weights, computes
the same Gatys loss (with a video frame's temporal term if PREFIX.json has one) and d(total)/d(image) with autograd, and writes PREFIX.torch.json and
PREFIX.torch.grad.f32. Used by the test suite; never by the engine.

usage: /usr/bin/python3 tools/torch_reference.py PREFIX WEIGHTS.json
"""
import json
import sys

import numpy as np
import torch
import torch.nn.functional as F

VGG19 = [(2, 64), (2, 128), (4, 256), (4, 512), (4, 512)]


def layer_specs():
    specs, c_in = [], 3
    for b, (n, c) in enumerate(VGG19):
        for i in range(n):
            specs.append((f"conv{b + 1}_{i + 1}", c_in, c, i == n - 1 and b < 4))
            c_in = c
    return specs


def load_weights(manifest_path):
    m = json.load(open(manifest_path))
    data = open(manifest_path[: -len(".json")] + ".bin", "rb").read()
    t = {}
    for e in m["tensors"]:
        a = np.frombuffer(data, dtype="<f4", count=e["length"], offset=e["offset"]).reshape(e["shape"])
        t[e["name"]] = torch.from_numpy(a.astype(np.float64))
    return t, m["input"]


def preprocess(rgba, h, w, conv):
    x = torch.from_numpy(np.frombuffer(rgba, dtype=np.uint8).reshape(h, w, 4)[:, :, :3].astype(np.float64))
    x = x / 255.0 * conv["range"]
    if conv["channelOrder"] == "BGR":
        x = x.flip(2)
    mean = torch.tensor(conv["mean"], dtype=torch.float64)
    std = torch.tensor(conv["std"], dtype=torch.float64)
    return ((x - mean) / std).permute(2, 0, 1).contiguous()


def vgg_features(x, weights, deepest, pooling):
    out = {}
    x = x.unsqueeze(0)
    for name, _, _, pool_after in layer_specs():
        x = F.relu(F.conv2d(x, weights[name + ".weight"], weights[name + ".bias"], padding=1))
        out[name] = x[0]
        if name == deepest:
            break
        if pool_after:
            x = F.max_pool2d(x, 2) if pooling == "max" else F.avg_pool2d(x, 2)
    return out


# SqueezeNet 1.1: our layer name -> index in torchvision's squeezenet1_1().features whose output it is
SQUEEZENET_LAYERS = {"conv1": 1, "fire2": 3, "fire3": 4, "fire4": 6, "fire5": 7, "fire6": 9, "fire7": 10, "fire8": 11, "fire9": 12}
SQUEEZENET_TORCH_KEYS = {"conv1": "features.0"}
for _name, _i in list(SQUEEZENET_LAYERS.items())[1:]:
    for _part in ("squeeze", "expand1x1", "expand3x3"):
        SQUEEZENET_TORCH_KEYS[f"{_name}/{_part}"] = f"features.{_i}.{_part}"


def squeezenet(weights):
    """torchvision's own squeezenet1_1 (its Fire modules, concatenation and ceil-mode pools) with our weights."""
    import torchvision

    model = torchvision.models.squeezenet1_1().double().eval()
    state = model.state_dict()
    for ours, key in SQUEEZENET_TORCH_KEYS.items():
        for suffix in ("weight", "bias"):
            if f"{ours}.{suffix}" in weights:
                state[f"{key}.{suffix}"] = weights[f"{ours}.{suffix}"]
    model.load_state_dict(state)
    return model


def squeezenet_features(x, model, deepest):
    out, x = {}, x.unsqueeze(0)
    by_index = {i: n for n, i in SQUEEZENET_LAYERS.items()}
    for i, m in enumerate(model.features):
        x = m(x)
        if i in by_index:
            out[by_index[i]] = x[0]
            if by_index[i] == deepest:
                break
    return out


def gram(f):
    c = f.shape[0]
    f = f.reshape(c, -1)
    return f @ f.t() / f.shape[1]


def mask_values(rgba, h, w):
    """A style mask's value per pixel: its luminance (Rec. 601) in 0..1."""
    x = torch.from_numpy(np.frombuffer(rgba, dtype=np.uint8).reshape(h, w, 4)[:, :, :3].astype(np.float64))
    return (0.299 * x[:, :, 0] + 0.587 * x[:, :, 1] + 0.114 * x[:, :, 2]) / 255.0


def mask_at(m, network, layer, model=None):
    """The mask at a layer's size: averaged over the windows of the pools and strided convs before it."""
    m = m[None, None]
    if network == "squeezenet":
        for i, mod in enumerate(model.features):
            if i > SQUEEZENET_LAYERS[layer]:
                break
            if isinstance(mod, torch.nn.Conv2d) and mod.stride[0] > 1:
                m = F.avg_pool2d(m, mod.kernel_size[0], mod.stride[0], mod.padding[0], count_include_pad=False)
            elif isinstance(mod, torch.nn.MaxPool2d):
                m = F.avg_pool2d(m, mod.kernel_size, mod.stride, 0, ceil_mode=mod.ceil_mode, count_include_pad=False)
    else:
        for name, _, _, pool_after in layer_specs():
            if name == layer:
                break
            if pool_after:
                m = F.avg_pool2d(m, 2)
    return m[0, 0]


def colour_stats(x):
    """Mean and covariance of a 3xHxW image's colours."""
    p = x.reshape(3, -1)
    mu = p.mean(1)
    d = p - mu[:, None]
    return mu, d @ d.t() / p.shape[1]


def sym_power(s, power):
    vals, vecs = torch.linalg.eigh(s)
    return vecs @ torch.diag(vals.clamp(min=0) ** power) @ vecs.t()


def match_colours(content, style, conv, eps=1e-5):
    """The style recoloured to the content's colour mean and covariance (RGB 0..1), then clamped to real pixels."""
    std = torch.tensor(conv["std"], dtype=torch.float64) / conv["range"]
    mean = torch.tensor(conv["mean"], dtype=torch.float64) / conv["range"]
    to_unit = lambda x: x * std[:, None, None] + mean[:, None, None]  # noqa: E731
    mc, cc = colour_stats(to_unit(content))
    ms, cs = colour_stats(to_unit(style))
    a = sym_power(cc, 0.5) @ sym_power(cs + eps * torch.eye(3, dtype=torch.float64), -0.5)
    u = torch.einsum("ij,jhw->ihw", a, to_unit(style) - ms[:, None, None]) + mc[:, None, None]
    x = (u - mean[:, None, None]) / std[:, None, None]
    lo = (0 - mean * conv["range"]) / (std * conv["range"])
    hi = (conv["range"] - mean * conv["range"]) / (std * conv["range"])
    return torch.max(torch.min(x, hi[:, None, None]), lo[:, None, None])


def main(prefix, weights_path):
    head = json.load(open(prefix + ".json"))
    weights, conv = load_weights(weights_path)
    o = head["options"]
    h, w = head["height"], head["width"]
    names = [l["name"] for l in o["contentLayers"] + o["styleLayers"]]
    model = None
    if o.get("network", "vgg19") == "squeezenet":
        model = squeezenet(weights)
        order = list(SQUEEZENET_LAYERS)
        features = lambda x, _w, d, _pooling: squeezenet_features(x, model, d)  # noqa: E731
    else:
        order = [s[0] for s in layer_specs()]
        features = vgg_features
    deepest = max(names, key=order.index)
    content = preprocess(open(prefix + ".content.rgba", "rb").read(), h, w, conv)
    image = torch.from_numpy(np.fromfile(prefix + ".image.f32", dtype="<f4").astype(np.float64).reshape(3, h, w))
    image.requires_grad_(True)

    with torch.no_grad():
        p = features(content, weights, deepest, o["pooling"])
        blends = [s["blend"] for s in head["styles"]]
        masked = any(s.get("mask") for s in head["styles"])
        targets = {}
        for i, s in enumerate(head["styles"]):
            sx = preprocess(open(f"{prefix}.style{i}.rgba", "rb").read(), s["height"], s["width"], conv)
            if o.get("originalColors") == "histogram":
                sx = match_colours(content, sx, conv)
            fs = features(sx, weights, deepest, o["pooling"])
            for l in o["styleLayers"]:
                if masked:
                    targets[(l["name"], i)] = gram(fs[l["name"]])
                else:
                    g = gram(fs[l["name"]]) * (blends[i] / sum(blends))
                    targets[l["name"]] = targets.get(l["name"], 0) + g
        masks = [mask_values(open(f"{prefix}.mask{i}.rgba", "rb").read(), h, w) for i in range(len(head["styles"]))] if masked else []

    f = features(image, weights, deepest, o["pooling"])
    result = {"content": {}, "style": {}}
    content_total = 0
    for l in o["contentLayers"]:
        e = 0.5 * ((f[l["name"]] - p[l["name"]]) ** 2).sum()
        result["content"][l["name"]] = e.item()
        content_total = content_total + o["contentWeight"] * l["weight"] * e
    style_total = 0
    for l in o["styleLayers"]:
        fl = f[l["name"]]
        n = fl.shape[0]
        if not masks:
            e = ((gram(fl) - targets[l["name"]]) ** 2).sum() / (4 * n * n)
            result["style"][l["name"]] = e.item()
            style_total = style_total + o["styleWeight"] * l["weight"] * e
            continue
        # spatial control: per region the Gram of the features weighted by its mask, normalised by
        # the mask's energy, against its own style's Gram, weighted by the region's area
        for i, m0 in enumerate(masks):
            m = mask_at(m0, o.get("network", "vgg19"), l["name"], model)
            energy = (m * m).sum()
            if energy.item() == 0:
                continue
            fm = (fl * m).reshape(n, -1)
            e = ((fm @ fm.t() / energy - targets[(l["name"], i)]) ** 2).sum() / (4 * n * n)
            result["style"][f"{l['name']}/mask{i + 1}"] = e.item()
            style_total = style_total + o["styleWeight"] * l["weight"] * (energy / m.numel()) * e
    tv = ((image[:, :, 1:] - image[:, :, :-1]) ** 2).sum() + ((image[:, 1:, :] - image[:, :-1, :]) ** 2).sum()
    total = content_total + style_total + o["tvWeight"] * tv
    if head.get("temporal"):
        # Ruder et al. 2016: 1/D·Σ c·(x − w)², differences in 0…255 levels: the pixels of x and w
        # (the warped previous result, preprocessed as the image is) are network values × std/range·255
        warped = preprocess(open(prefix + ".temporal.rgba", "rb").read(), h, w, conv)
        c = mask_values(open(prefix + ".temporal_mask.rgba", "rb").read(), h, w).reshape(1, h, w) if head["temporal"]["mask"] else torch.ones(1, h, w, dtype=torch.float64)
        levels = (torch.tensor(conv["std"], dtype=torch.float64) * 255.0 / conv["range"]).reshape(3, 1, 1)
        temporal = (c * ((image - warped) * levels) ** 2).sum() / (3 * h * w)
        total = total + head["temporal"]["weight"] * temporal
        result.update(temporal=temporal.item())
    total.backward()
    result.update(tv=tv.item(), contentTotal=float(content_total), styleTotal=float(style_total), total=total.item())
    json.dump(result, open(prefix + ".torch.json", "w"), indent=1)
    image.grad.numpy().astype("<f4").tofile(prefix + ".torch.grad.f32")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

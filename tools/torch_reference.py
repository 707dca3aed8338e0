#!/usr/bin/python3
"""Independent reference for the engine's loss and image gradient, in PyTorch (float64, CPU).

VGG19 is written out here; SqueezeNet 1.1 is torchvision's own squeezenet1_1 with our weights.
Reads what `npm run gradient` writes (PREFIX.json + raw inputs) and our raw weights, computes
the same Gatys loss and d(total)/d(image) with autograd, and writes PREFIX.torch.json and
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


def main(prefix, weights_path):
    head = json.load(open(prefix + ".json"))
    weights, conv = load_weights(weights_path)
    o = head["options"]
    h, w = head["height"], head["width"]
    names = [l["name"] for l in o["contentLayers"] + o["styleLayers"]]
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
        targets = {}
        for i, s in enumerate(head["styles"]):
            sx = preprocess(open(f"{prefix}.style{i}.rgba", "rb").read(), s["height"], s["width"], conv)
            fs = features(sx, weights, deepest, o["pooling"])
            for l in o["styleLayers"]:
                g = gram(fs[l["name"]]) * (blends[i] / sum(blends))
                targets[l["name"]] = targets.get(l["name"], 0) + g

    f = features(image, weights, deepest, o["pooling"])
    result = {"content": {}, "style": {}}
    content_total = 0
    for l in o["contentLayers"]:
        e = 0.5 * ((f[l["name"]] - p[l["name"]]) ** 2).sum()
        result["content"][l["name"]] = e.item()
        content_total = content_total + o["contentWeight"] * l["weight"] * e
    style_total = 0
    for l in o["styleLayers"]:
        n = f[l["name"]].shape[0]
        e = ((gram(f[l["name"]]) - targets[l["name"]]) ** 2).sum() / (4 * n * n)
        result["style"][l["name"]] = e.item()
        style_total = style_total + o["styleWeight"] * l["weight"] * e
    tv = ((image[:, :, 1:] - image[:, :, :-1]) ** 2).sum() + ((image[:, 1:, :] - image[:, :-1, :]) ** 2).sum()
    total = content_total + style_total + o["tvWeight"] * tv
    total.backward()
    result.update(tv=tv.item(), contentTotal=float(content_total), styleTotal=float(style_total), total=total.item())
    json.dump(result, open(prefix + ".torch.json", "w"), indent=1)
    image.grad.numpy().astype("<f4").tofile(prefix + ".torch.grad.f32")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

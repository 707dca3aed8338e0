#!/usr/bin/python3
"""Checks the committed SqueezeNet 1.1 weights against their HDF5 source, independently of the
converter (test/embedded_weights.test.ts runs it; h5py, numpy and torch are test dependencies only).

usage: /usr/bin/python3 test/harness/check_embedded_squeezenet.py H5 PREFIX PHOTO
Prints one JSON object:
  tensors:   {name: {"exact": bool, "maxRel": float}} — every tensor but conv1's must equal the
             source's (Keras (kh, kw, in, out) → OIHW) bit for bit; conv1's is the fold of Caffe's
             input convention into the weights (maxRel against the fold computed here in float64)
  missing / extra: tensor names the manifest lacks or has beyond the source's
  features:  {layer: max |ours − caffe's| / max |caffe's|} for conv1, fire2 … fire9 of PHOTO:
             torchvision's squeezenet1_1 module with the source weights on Caffe's input (BGR,
             0..255, mean pixel subtracted) against the same module with our weights on
             torchvision's input (RGB, 0..1, ImageNet mean/std), in float64
"""
import json
import sys

import h5py
import numpy as np
import torch
import torchvision
from PIL import Image

h5_path, prefix, photo = sys.argv[1:4]
manifest = json.load(open(prefix + ".json"))
data = open(prefix + ".bin", "rb").read()
ours = {t["name"]: np.frombuffer(data, dtype="<f4", count=t["length"], offset=t["offset"]).reshape(t["shape"]) for t in manifest["tensors"]}

src = {}
with h5py.File(h5_path, "r") as h5:
    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            parts = name.split("/")
            layer, leaf = parts[0], parts[-1]
            kind = "weight" if leaf == "kernel:0" else "bias"
            sub = parts[1]  # conv1_3 for conv1; squeeze1x1 / expand1x1 / expand3x3 in a Fire module
            conv = "conv1" if layer == "conv1" else f"{layer}/{sub.replace('squeeze1x1', 'squeeze')}"
            a = np.asarray(obj[...])
            src[f"{conv}.{kind}"] = a.transpose(3, 2, 0, 1) if kind == "weight" else a
    h5.visititems(visit)

CAFFE_MEAN = np.array([103.939, 116.779, 123.68])
TV_MEAN = np.array([0.485, 0.456, 0.406])
TV_STD = np.array([0.229, 0.224, 0.225])

report = {"tensors": {}, "missing": sorted(set(src) - set(ours)), "extra": sorted(set(ours) - set(src))}
for name in sorted(set(src) & set(ours)):
    a, b = src[name].astype(np.float64), ours[name].astype(np.float64)
    if name == "conv1.weight":
        a = a[:, ::-1] * (255 * TV_STD)[None, :, None, None]
    elif name == "conv1.bias":
        w = src["conv1.weight"].astype(np.float64)
        a = a + np.einsum("ocij,c->o", w, 255 * TV_MEAN[::-1] - CAFFE_MEAN)
    exact = name not in ("conv1.weight", "conv1.bias") and a.shape == b.shape and np.array_equal(src[name], ours[name])
    rel = float(np.max(np.abs(a - b)) / max(np.max(np.abs(a)), 1e-30)) if a.shape == b.shape else float("inf")
    report["tensors"][name] = {"exact": bool(exact), "maxRel": rel}


def network(weights):
    m = torchvision.models.squeezenet1_1().double().eval()
    sd = {}
    for c in ["conv1"] + [f"fire{i}/{p}" for i in range(2, 10) for p in ("squeeze", "expand1x1", "expand3x3")]:
        key = "features.0" if c == "conv1" else None
        if key is None:
            fire, part = c.split("/")
            key = f"features.{[3, 4, 6, 7, 9, 10, 11, 12][int(fire[4:]) - 2]}.{part}"
        sd[f"{key}.weight"] = torch.from_numpy(np.ascontiguousarray(weights[f"{c}.weight"], dtype=np.float64))
        sd[f"{key}.bias"] = torch.from_numpy(np.ascontiguousarray(weights[f"{c}.bias"], dtype=np.float64))
    missing = m.load_state_dict(sd, strict=False).missing_keys
    assert all(k.startswith("classifier") for k in missing), missing
    return m.features


def features(net, x):
    out, names = {}, {1: "conv1", 3: "fire2", 4: "fire3", 6: "fire4", 7: "fire5", 9: "fire6", 10: "fire7", 11: "fire8", 12: "fire9"}
    with torch.no_grad():
        for i, layer in enumerate(net):
            x = layer(x)
            if i in names:
                out[names[i]] = x
    return out


rgb = np.asarray(Image.open(photo).convert("RGB"), dtype=np.float64)  # H, W, 3 in 0..255
caffe = torch.from_numpy((rgb[:, :, ::-1] - CAFFE_MEAN).transpose(2, 0, 1).copy())[None]
tv = torch.from_numpy(((rgb / 255 - TV_MEAN) / TV_STD).transpose(2, 0, 1).copy())[None]
ref = features(network(src), caffe)
got = features(network(ours), tv)
report["features"] = {k: float((got[k] - ref[k]).abs().max() / ref[k].abs().max()) for k in ref}
report["featureScale"] = {k: float(ref[k].abs().max()) for k in ref}
print(json.dumps(report))

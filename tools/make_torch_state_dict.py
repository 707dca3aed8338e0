#!/usr/bin/python3
"""Write a real torch.save file for the converter tests (torch is only a test dependency).

usage: /usr/bin/python3 tools/make_torch_state_dict.py SEED OUT.pth:KIND [OUT.pth:KIND ...]
  KIND = vgg19            torchvision.models.vgg19() random init, full state dict (548 MB!)
       | vgg19-features   its features.* tensors only (80 MB)
       | vgg19-first3     features.0/2/5 only (conv1_1, conv1_2, conv2_1), small
       | first3-noncontig conv1_1.. as above but weights stored transposed (non-contiguous views)
       | first3-half      as vgg19-first3 in float16
       | first3-legacy    as vgg19-first3, saved in the legacy (pre-1.6, non-zip) format
       | gatys-legacy     all 16 convs named like Gatys' vgg_conv.pth (conv1_1.weight …), legacy format
Prints {OUT: {tensor: [sum, first, last]}} as JSON so tests can check values.
"""
import json
import sys

import torch
import torchvision


def gatys_names():
    """torchvision features.N index -> Gatys' layer name (conv1_1 ... conv5_4)."""
    names, index = {}, 0
    for block, count in enumerate([2, 2, 4, 4, 4], start=1):
        for i in range(1, count + 1):
            names[str(index)] = f"conv{block}_{i}"
            index += 2
        index += 1  # pooling
    return names


def make(full, kind):
    sd = dict(full)
    if kind == "gatys-legacy":
        names = gatys_names()
        return {f"{names[k.split('.')[1]]}.{k.split('.')[2]}": v for k, v in sd.items() if k.startswith("features.")}
    if kind == "vgg19-features":
        sd = {k: v for k, v in sd.items() if k.startswith("features.")}
    elif kind.startswith("first3") or kind == "vgg19-first3":
        sd = {k: v for k, v in sd.items() if k.split(".")[1] in ("0", "2", "5") and k.startswith("features.")}
        for k in sd:
            sd[k] = sd[k] + 0.01 * torch.randn_like(sd[k])  # non-zero biases
        if kind == "first3-noncontig":
            sd = {k: (v.transpose(0, 1).contiguous().transpose(0, 1) if v.dim() == 4 else v) for k, v in sd.items()}
        if kind == "first3-half":
            sd = {k: v.half() for k, v in sd.items()}
    return sd


def main(seed, *outputs):
    torch.manual_seed(int(seed))
    full = torchvision.models.vgg19().state_dict()
    report = {}
    for spec in outputs:
        out, kind = spec.rsplit(":", 1)
        sd = make(full, kind)
        torch.save(sd, out, _use_new_zipfile_serialization=not kind.endswith("-legacy"))
        report[out] = {k: [float(v.double().sum()), float(v.double().reshape(-1)[0]), float(v.double().reshape(-1)[-1])] for k, v in sd.items()}
    print(json.dumps(report))


if __name__ == "__main__":
    main(*sys.argv[1:])

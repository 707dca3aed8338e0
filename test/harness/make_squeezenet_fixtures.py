#!/usr/bin/python3
"""SqueezeNet 1.1 weight files from a seeded random init, for the weights tests (torch is only a
test dependency; nothing here is ever used by the engine).

usage: /usr/bin/python3 test/harness/make_squeezenet_fixtures.py SEED DIR
writes
  DIR/squeezenet-legacy.pth        torchvision.models.squeezenet1_1() state dict (classifier included)
                                   in the legacy (pre-1.6) torch.save format, as download.pytorch.org's
                                   squeezenet1_1-b8a52dc0.pth of 2017
  DIR/squeezenet-zip.pth           the same in the zip format of torch >= 1.6
  DIR/squeezenet.safetensors       the same tensors and names as safetensors (sorted by name, 8-byte
                                   header length, JSON header padded with spaces, raw data)
  DIR/squeezenet-ours.safetensors  the conv tensors under our names (conv1.weight, fire2/squeeze.weight, ...)
  DIR/squeezenet-module.pth        the conv tensors under "module.features..." (as nn.DataParallel saves), zip
  DIR/vgg19-first3.pth             a small VGG19 state dict (features.0/2/5: conv1_1, conv1_2, conv2_1), zip
  DIR/expected.f32                 every tensor of the squeezenet1_1 state dict, float32 little-endian, back to back
  DIR/expected.json                {torchvision key: [offset in floats, count, shape]} into expected.f32
"""
import json
import os
import struct
import sys

import torch
import torchvision

FIRES = [3, 4, 6, 7, 9, 10, 11, 12]  # features index of fire2 ... fire9


def ours(key):
    """torchvision key -> our name: features.0.weight -> conv1.weight, features.3.squeeze.bias -> fire2/squeeze.bias."""
    parts = key.split(".")
    if parts[1] == "0":
        return "conv1." + parts[2]
    return f"fire{FIRES.index(int(parts[1])) + 2}/{parts[2]}.{parts[3]}"


def safetensors_bytes(tensors):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        data = tensors[name].contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def main(seed, out_dir):
    torch.manual_seed(int(seed))
    sd = torchvision.models.squeezenet1_1().state_dict()
    for k in sd:  # torchvision initialises biases to 0: make them non-zero so bias mix-ups show
        if k.endswith(".bias"):
            sd[k] = 0.01 * torch.randn_like(sd[k])
    os.makedirs(out_dir, exist_ok=True)
    path = lambda name: os.path.join(out_dir, name)
    torch.save(sd, path("squeezenet-legacy.pth"), _use_new_zipfile_serialization=False)
    torch.save(sd, path("squeezenet-zip.pth"))
    with open(path("squeezenet.safetensors"), "wb") as f:
        f.write(safetensors_bytes(sd))
    convs = {k: v for k, v in sd.items() if k.startswith("features.")}
    with open(path("squeezenet-ours.safetensors"), "wb") as f:
        f.write(safetensors_bytes({ours(k): v for k, v in convs.items()}))
    torch.save({"module." + k: v for k, v in convs.items()}, path("squeezenet-module.pth"))
    vgg = {}
    for i, (o, c) in zip([0, 2, 5], [(64, 3), (64, 64), (128, 64)]):
        vgg[f"features.{i}.weight"] = torch.randn(o, c, 3, 3) * 0.1
        vgg[f"features.{i}.bias"] = torch.randn(o) * 0.01
    torch.save(vgg, path("vgg19-first3.pth"))
    index, offset = {}, 0
    with open(path("expected.f32"), "wb") as f:
        for k, v in sd.items():
            data = v.contiguous().numpy().astype("<f4").tobytes()
            f.write(data)
            index[k] = [offset, v.numel(), list(v.shape)]
            offset += v.numel()
    with open(path("expected.json"), "w") as f:  # written last: its presence means the set is complete
        json.dump(index, f)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])

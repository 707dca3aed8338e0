#!/usr/bin/python3
"""Files shaped like the two real homes of torchvision's pretrained VGG19, from a seeded random init,
for the download tests (torch is only a test dependency; nothing here is ever used by the engine).

usage: /usr/bin/python3 tools/make_pretrained_fixtures.py SEED DIR
writes
  DIR/vgg19-legacy.pth       torchvision.models.vgg19() state dict in the legacy (pre-1.6) torch.save
                             format, as download.pytorch.org's vgg19-dcbb9e9d.pth (saved in 2017) is
  DIR/vgg19-zip.pth          the same state dict in the zip format of torch >= 1.6
  DIR/model.safetensors      the same tensors named as timm's vgg19.tv_in1k on the Hugging Face hub:
                             features.N.* as torchvision, the classifier as pre_logits.fc1 (a 7x7 conv),
                             pre_logits.fc2 (1x1 conv) and head.fc; laid out as the safetensors library
                             writes them (sorted by name, 8-byte header length, JSON header, raw data)
  DIR/expected.json          {tensor name: [sum, first, last]} of the features tensors
Each file is ~548 MB, like the real ones.
"""
import json
import os
import struct
import sys

import torch
import torchvision


def safetensors_bytes(tensors):
    """Serialize {name: float32 tensor} exactly as safetensors does (names sorted, offsets in order)."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        data = t.numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)  # the library pads the header to 8 bytes with spaces
    return struct.pack("<Q", len(text)) + text, blobs


def main(seed, out_dir):
    torch.manual_seed(int(seed))
    sd = torchvision.models.vgg19().state_dict()
    for k in sd:  # non-zero biases, so bias mix-ups show
        if k.endswith(".bias"):
            sd[k] = 0.01 * torch.randn_like(sd[k])
    os.makedirs(out_dir, exist_ok=True)
    torch.save(sd, os.path.join(out_dir, "vgg19-legacy.pth"), _use_new_zipfile_serialization=False)
    torch.save(sd, os.path.join(out_dir, "vgg19-zip.pth"))
    timm = {k: v for k, v in sd.items() if k.startswith("features.")}
    timm["pre_logits.fc1.weight"] = sd["classifier.0.weight"].reshape(4096, 512, 7, 7)
    timm["pre_logits.fc1.bias"] = sd["classifier.0.bias"]
    timm["pre_logits.fc2.weight"] = sd["classifier.3.weight"].reshape(4096, 4096, 1, 1)
    timm["pre_logits.fc2.bias"] = sd["classifier.3.bias"]
    timm["head.fc.weight"] = sd["classifier.6.weight"]
    timm["head.fc.bias"] = sd["classifier.6.bias"]
    head, blobs = safetensors_bytes(timm)
    with open(os.path.join(out_dir, "model.safetensors"), "wb") as f:
        f.write(head)
        for b in blobs:
            f.write(b)
    expected = {k: [float(v.double().sum()), float(v.reshape(-1)[0]), float(v.reshape(-1)[-1])] for k, v in sd.items() if k.startswith("features.")}
    with open(os.path.join(out_dir, "expected.json"), "w") as f:
        json.dump(expected, f)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])

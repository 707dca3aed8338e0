#!/usr/bin/python3
"""Seeds and oracle for test/weights_fuzz.test.ts (PyTorch's weights_only loader; Debian's torch).

  fuzz_weights.py seeds DIR      writes SqueezeNet 1.1's conv1 and fire2/squeeze as torch.save files
                                 (zip, legacy, and the zip with a transposed view) into DIR, and
                                 both formats again with zero-size tensors beside them (empty-*.pth)
  fuzz_weights.py load FILE…     prints one JSON line per file: {"file", "ok", "tensors": {name:
                                 [shape, hex of the float32 bytes]}} or {"file", "ok": false}
"""
import json
import sys

import torch


def seeds(out):
    g = torch.Generator().manual_seed(7)
    sd = {
        "features.0.weight": torch.randn(64, 3, 3, 3, generator=g),
        "features.0.bias": torch.randn(64, generator=g),
        "features.3.squeeze.weight": torch.randn(16, 64, 1, 1, generator=g),
        "features.3.squeeze.bias": torch.randn(16, generator=g),
    }
    torch.save(sd, f"{out}/zip.pth")
    torch.save(sd, f"{out}/legacy.pth", _use_new_zipfile_serialization=False)
    # a saved transposed view: the same values, a permuted (dense) layout
    view = dict(sd)
    view["features.0.weight"] = sd["features.0.weight"].permute(1, 0, 2, 3).contiguous().permute(1, 0, 2, 3)
    torch.save(view, f"{out}/view.pth")
    # zero-size tensors: shape [0] and [3, 0], each with an empty storage
    empty = dict(sd)
    empty["extra.empty"] = torch.zeros(0)
    empty["extra.empty2d"] = torch.zeros(3, 0)
    torch.save(empty, f"{out}/empty-zip.pth")
    torch.save(empty, f"{out}/empty-legacy.pth", _use_new_zipfile_serialization=False)


def load(files):
    for f in files:
        try:
            sd = torch.load(f, map_location="cpu", weights_only=True)
            if isinstance(sd, dict) and "state_dict" in sd and isinstance(sd["state_dict"], dict):
                sd = sd["state_dict"]
            tensors = {k: [list(v.shape), v.detach().float().contiguous().numpy().tobytes().hex()] for k, v in sd.items() if isinstance(v, torch.Tensor)}
            print(json.dumps({"file": f, "ok": True, "tensors": tensors}))
        except Exception:  # noqa: BLE001 - any refusal is an answer
            print(json.dumps({"file": f, "ok": False}))


if __name__ == "__main__":
    if sys.argv[1] == "seeds":
        seeds(sys.argv[2])
    else:
        load(sys.argv[2:])

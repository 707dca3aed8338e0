#!/usr/bin/python3
"""Convert DeepScale's ImageNet SqueezeNet 1.1 (the Keras conversion, HDF5) into our raw weights
format, once; the result is committed as weights/squeezenet1_1-deepscale.{json,bin}, the engine's
embedded default network. The engine never reads HDF5; this tool needs Debian's python3-h5py and
numpy only.

usage: /usr/bin/python3 tools/convert_squeezenet_h5.py [H5] [OUT_PREFIX]
  H5          default ../shared/weights/squeezenet_v1.1_keras_notop.h5
  OUT_PREFIX  default weights/squeezenet1_1-deepscale  (writes OUT_PREFIX.json and OUT_PREFIX.bin)

What it does:
  - walks the file's groups (conv1, fire2 … fire9; inside a Fire module squeeze1x1, expand1x1,
    expand3x3, whose inner group names carry suffixes such as _3), reads every kernel:0 / bias:0;
  - transposes Keras' (kh, kw, in, out) kernels to our OIHW (no flip: Caffe and TensorFlow both
    compute cross-correlation, as we do);
  - folds the input convention into conv1. The weights expect Caffe's input x_c (BGR, 0..255,
    mean pixel subtracted); the engine feeds every network torchvision's t_c' = (rgb_c' − m_c')/s_c'
    (RGB, 0..1, ImageNet mean/std), so that the learning rate, TV weight and noise init mean the
    same for every network. With x_c = 255·(s_c'·t_c' + m_c') − caffe_mean_c and c' = 2 − c,
        W'[o, c', i, j] = 255 · s_c' · W[o, 2 − c', i, j]
        b'[o]          = b[o] + Σ_{c,i,j} W[o, c, i, j] · (255 · m_{2−c} − caffe_mean_c)
    which is exact wherever conv1 sees no zero padding, and conv1 has none;
  - refuses (exit 1, naming the dataset) a missing or extra layer, a wrong shape, a non-float32
    dataset, NaN/Inf values or an all-zero kernel.
Every other tensor is the source's, bit for bit (test/embedded_weights.test.ts checks both).
"""
import datetime
import hashlib
import json
import os
import sys

import h5py
import numpy as np

CAFFE_MEAN_BGR = np.array([103.939, 116.779, 123.68], dtype=np.float64)
TORCHVISION_MEAN_RGB = np.array([0.485, 0.456, 0.406], dtype=np.float64)
TORCHVISION_STD_RGB = np.array([0.229, 0.224, 0.225], dtype=np.float64)

# (our conv name, Keras group, Keras sub-layer prefix, in, out, k) in our order (networks.ts)
FIRES = [("fire2", 64, 16, 64), ("fire3", 128, 16, 64), ("fire4", 128, 32, 128), ("fire5", 256, 32, 128),
         ("fire6", 256, 48, 192), ("fire7", 384, 48, 192), ("fire8", 384, 64, 256), ("fire9", 512, 64, 256)]
CONVS = [("conv1", "conv1", "conv1", 3, 64, 3)]
for name, cin, s, e in FIRES:
    CONVS += [(f"{name}/squeeze", name, "squeeze1x1", cin, s, 1),
              (f"{name}/expand1x1", name, "expand1x1", s, e, 1),
              (f"{name}/expand3x3", name, "expand3x3", s, e, 3)]


def fail(msg):
    sys.stderr.write(f"convert_squeezenet_h5: {msg}\n")
    sys.exit(1)


def holds_datasets(group, depth=0):
    """Whether a group holds any dataset within the depth a Keras layer group nests them (bounded)."""
    return depth <= 4 and any(isinstance(group[k], h5py.Dataset) or holds_datasets(group[k], depth + 1) for k in group)


def datasets_under(group, path):
    """{leaf name ('kernel:0', 'bias:0'): dataset} of a layer group, however deeply the Keras names nest it (bounded)."""
    found, todo = {}, [(group, path, 0)]
    while todo:
        g, p, depth = todo.pop()
        if depth > 4:
            fail(f"{p}: nested deeper than a Keras layer group is")
        for k in g:
            item = g[k]
            if isinstance(item, h5py.Dataset):
                if k in found:
                    fail(f"{p}/{k}: a second dataset named {k} in one layer")
                found[k] = (item, f"{p}/{k}")
            else:
                todo.append((item, f"{p}/{k}", depth + 1))
    return found


def read_layer(h5, file, group, prefix, cin, cout, k):
    if group not in h5:
        fail(f"{file}: no group {group}")
    g = h5[group]
    subs = [s for s in g if s == prefix or s.startswith(prefix + "_")] if group != prefix else [group]
    if group == prefix:
        leaves = datasets_under(g, group)
    else:
        if len(subs) != 1:
            fail(f"{file}: {group} holds {len(subs)} groups named {prefix}* (expected one): {list(g)}")
        leaves = datasets_under(g[subs[0]], f"{group}/{subs[0]}")
    if set(leaves) != {"kernel:0", "bias:0"}:
        fail(f"{file}: {group}/{prefix} holds {sorted(leaves)} (expected kernel:0 and bias:0)")
    (kd, kpath), (bd, bpath) = leaves["kernel:0"], leaves["bias:0"]
    for d, p, shape in ((kd, kpath, (k, k, cin, cout)), (bd, bpath, (cout,))):
        if d.dtype != np.float32:
            fail(f"{file}: {p} is {d.dtype}, expected float32")
        if tuple(d.shape) != shape:
            fail(f"{file}: {p} has shape {tuple(d.shape)}, SqueezeNet 1.1 needs {shape}")
    kernel, bias = np.asarray(kd[...]), np.asarray(bd[...])
    for a, p in ((kernel, kpath), (bias, bpath)):
        if not np.all(np.isfinite(a)):
            fail(f"{file}: {p} holds NaN or Inf")
    if not np.any(kernel):
        fail(f"{file}: {kpath} is all zeros")
    return kernel, bias, kpath


def fold_conv1(w_oihw, b):
    """Caffe-convention conv1 (BGR input channels) → torchvision-convention conv1 (RGB), see the docstring."""
    w = w_oihw.astype(np.float64)
    shift = 255.0 * TORCHVISION_MEAN_RGB[::-1] - CAFFE_MEAN_BGR  # per BGR input channel c
    b_new = b.astype(np.float64) + np.einsum("ocij,c->o", w, shift)
    w_new = w[:, ::-1, :, :] * (255.0 * TORCHVISION_STD_RGB)[None, :, None, None]
    return w_new.astype(np.float32), b_new.astype(np.float32)


def main():
    h5_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "shared", "weights", "squeezenet_v1.1_keras_notop.h5")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", "weights", "squeezenet1_1-deepscale")
    file = os.path.basename(h5_path)
    if not os.path.isfile(h5_path):
        fail(f"{h5_path}: no such file")
    source_sha = hashlib.sha256(open(h5_path, "rb").read()).hexdigest()
    with h5py.File(h5_path, "r") as h5:
        layers = [k for k in h5 if isinstance(h5[k], h5py.Group) and holds_datasets(h5[k])]
        expected = {"conv1"} | {f[0] for f in FIRES}
        extra = sorted(set(layers) - expected)
        if extra:
            fail(f"{file}: layers SqueezeNet 1.1 (up to fire9) does not have: {extra}")
        tensors, blobs, offset = [], [], 0
        for name, group, prefix, cin, cout, k in CONVS:
            kernel, bias, _ = read_layer(h5, file, group, prefix, cin, cout, k)
            w = np.ascontiguousarray(kernel.transpose(3, 2, 0, 1))  # (kh, kw, in, out) → OIHW
            if name == "conv1":
                w, bias = fold_conv1(w, bias)
            for suffix, a in (("weight", w), ("bias", bias)):
                a = np.ascontiguousarray(a, dtype="<f4")
                tensors.append({"name": f"{name}.{suffix}", "shape": list(a.shape), "offset": offset, "length": int(a.size)})
                blobs.append(a.tobytes())
                offset += a.nbytes
    manifest = {
        "format": "nst-raw-weights", "version": 1, "model": "squeezenet", "dtype": "float32", "byteOrder": "little",
        "origin": {
            "source": "deepscale",
            "url": "https://github.com/DeepScale/SqueezeNet",
            "format": f"keras-hdf5 ({file}, sha256 {source_sha}; Keras conversion by keras-squeezenet)",
            "fetched": datetime.date.today().isoformat(),
        },
        # conv1 folded (see above): the network takes torchvision's input, not Caffe's
        "input": {"channelOrder": "RGB", "range": 1, "mean": TORCHVISION_MEAN_RGB.tolist(), "std": TORCHVISION_STD_RGB.tolist()},
        "tensors": tensors,
    }
    bin_bytes = b"".join(blobs)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    for path, data, mode in ((out + ".bin", bin_bytes, "wb"), (out + ".json", json.dumps(manifest, indent=1) + "\n", "w")):
        tmp = path + ".tmp"
        with open(tmp, mode) as f:
            f.write(data)
        os.replace(tmp, path)  # the manifest last: a half-written pair never looks complete
    print(f"wrote {out}.json and {out}.bin ({len(bin_bytes)} bytes, {len(tensors)} tensors, conv1 folded to torchvision's input)")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""The warping error of Lai et al. 2018 ("Learning Blind Video Temporal Consistency", eq. 7 and
their evaluate_WarpError.py) between consecutive frames of stylized videos: a reference measure
with OpenCV, not part of the engine.

  /usr/bin/python3 tools/warping_error.py --input CLIP [--frames N] RESULT [RESULT ...]

CLIP and each RESULT are a video file or a folder of PNG frames (sorted by name). For each t ≥ 1
the optical flow between INPUT frames t−1 and t (OpenCV's DIS, medium preset, on grey levels, in
both directions) warps result frame t−1 onto frame t; pixels where the forward–backward check
fails (|F_f(x + F_b(x)) + F_b(x)|² > 0.01 (|F_f(x + F_b)|² + |F_b|²) + 0.5), on motion
boundaries (|∇F_b|² > 0.01 |F_b|² + 0.002) or whose source falls outside the frame are occluded.
E_t = Σ_x M(x) ‖O_t(x) − warp(O_{t−1})(x)‖² / Σ_x M(x), RGB in 0–1 (the squared distance summed
over the three channels, as Lai et al.'s code), and the result is the mean of E_t over t. The input
frames are resized to each result's size (area averaging). Passing the input itself as a RESULT
gives the floor the flow's own errors set.
"""
import argparse
import os
import sys

import cv2
import numpy as np


def read_frames(path, limit=None):
    """RGB float frames in 0–1 from a video file or a folder of PNGs."""
    frames = []
    if os.path.isdir(path):
        names = sorted(n for n in os.listdir(path) if n.lower().endswith('.png'))
        for n in names[:limit]:
            bgr = cv2.imread(os.path.join(path, n), cv2.IMREAD_COLOR)
            if bgr is None:
                sys.exit(f'{path}/{n}: not a readable PNG')
            frames.append(bgr)
    else:
        if not os.path.isfile(path):
            sys.exit(f'{path}: no such file or folder')
        cap = cv2.VideoCapture(path)
        while limit is None or len(frames) < limit:
            ok, bgr = cap.read()
            if not ok:
                break
            frames.append(bgr)
    if len(frames) < 2:
        sys.exit(f'{path}: needs at least two frames, found {len(frames)}')
    return [cv2.cvtColor(f, cv2.COLOR_BGR2RGB).astype(np.float32) / 255 for f in frames]


def flows(a, b):
    """DIS flow a→b and b→a on grey levels (8-bit)."""
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    ga = cv2.cvtColor((a * 255).round().astype(np.uint8), cv2.COLOR_RGB2GRAY)
    gb = cv2.cvtColor((b * 255).round().astype(np.uint8), cv2.COLOR_RGB2GRAY)
    return dis.calc(ga, gb, None), dis.calc(gb, ga, None)


def warp(img, flow):
    """img sampled at x + flow(x) (bilinear), and where that falls inside the frame."""
    h, w = flow.shape[:2]
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    mx, my = gx + flow[..., 0], gy + flow[..., 1]
    out = cv2.remap(img, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    inside = (mx >= 0) & (mx <= w - 1) & (my >= 0) & (my <= h - 1)
    return out, inside


def non_occluded(fw, bw):
    """Pixels of frame t whose backward flow bw (t → t−1) the forward flow fw (t−1 → t) confirms."""
    fw_w, inside = warp(fw, bw)
    sq = lambda f: (f ** 2).sum(axis=-1)
    mask1 = sq(fw_w + bw) > 0.01 * (sq(fw_w) + sq(bw)) + 0.5
    du = np.gradient(bw[..., 0])
    dv = np.gradient(bw[..., 1])
    grad = du[0] ** 2 + du[1] ** 2 + dv[0] ** 2 + dv[1] ** 2
    mask2 = grad > 0.01 * sq(bw) + 0.002
    return inside & ~mask1 & ~mask2


def warping_error(inputs, outputs):
    n = min(len(inputs), len(outputs))
    h, w = outputs[0].shape[:2]
    ins = [cv2.resize(f, (w, h), interpolation=cv2.INTER_AREA) if f.shape[:2] != (h, w) else f for f in inputs[:n]]
    errs, kept = [], []
    for t in range(1, n):
        fw, bw = flows(ins[t - 1], ins[t])
        mask = non_occluded(fw, bw)
        warped, _ = warp(outputs[t - 1], bw)
        d = ((outputs[t] - warped) ** 2).sum(axis=-1)
        errs.append(float(d[mask].sum() / max(1, mask.sum())))
        kept.append(float(mask.mean()))
    return float(np.mean(errs)), float(np.mean(kept)), n


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--input', required=True, help='the input clip (video or PNG folder): the flow is computed on it')
    p.add_argument('--frames', type=int, default=None, help='at most this many frames')
    p.add_argument('results', nargs='+', help='stylized videos or PNG folders')
    a = p.parse_args()
    inputs = read_frames(a.input, a.frames)
    for r in a.results:
        e, kept, n = warping_error(inputs, read_frames(r, a.frames))
        print(f'{r}\twarping error {e:.5f}\t({n} frames, {100 * kept:.0f}% of pixels not occluded)')


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""Optical flow's accuracy reference (npm run flow-accuracy; docs/video.md, "Optical flow").

Makes frame pairs with known motion from the example photos, and measures OpenCV's DIS (preset
MEDIUM) and Farneback on them. Usage: flow_reference.py EXAMPLES_DIR OUT_DIR [SIZE]

Each photo is resized (INTER_AREA) so its longer side is SIZE (default 256) and taken as frame a;
frame b is a moved by a known map T (b(T(x)) = a(x), made by cv2.remap, bicubic), so the true
flow is T(x) − x in the convention a(x) ≈ b(x + flow(x)) (OpenCV's prev/next). Motions: a shift
by (3.5, −2) px, a zoom by 1.05 and a rotation by 3° about the centre. The error is measured
where x and T(x) both lie at least BORDER px inside the frame.

Writes OUT_DIR/NAME_MOTION.{a,b,gt,mask}.f32 (a, b: 3×H×W RGB in [0, 1]; gt: 2×H×W; mask: H×W
of 0/1; float32, little-endian) and OUT_DIR/manifest.json listing the pairs with H, W and
OpenCV's EPE and milliseconds (median of 3 runs) per method.
"""
import json
import math
import os
import sys
import time

import cv2
import numpy as np

BORDER = 8
PHOTOS = ['chelsea.png', 'coffee.png', 'astronaut.png', 'rocket.jpg', 'hubble_deep_field.jpg',
          'starry_night.jpg', 'the_scream.jpg', 'shipwreck.jpg']


def motions(H, W):
    cx, cy = (W - 1) / 2, (H - 1) / 2
    c, s = math.cos(math.radians(3)), math.sin(math.radians(3))
    return {
        'shift': lambda x, y: (x + 3.5, y - 2.0),
        'zoom': lambda x, y: (cx + 1.05 * (x - cx), cy + 1.05 * (y - cy)),
        'rotate': lambda x, y: (cx + c * (x - cx) - s * (y - cy), cy + s * (x - cx) + c * (y - cy)),
    }, {
        'shift': lambda x, y: (x - 3.5, y + 2.0),
        'zoom': lambda x, y: (cx + (x - cx) / 1.05, cy + (y - cy) / 1.05),
        'rotate': lambda x, y: (cx + c * (x - cx) + s * (y - cy), cy - s * (x - cx) + c * (y - cy)),
    }


def epe(flow, gt, mask):
    d = np.sqrt(((flow - gt) ** 2).sum(axis=2))
    return float(d[mask > 0].mean())


def timed(f):
    times, out = [], None
    for _ in range(3):
        t = time.perf_counter()
        out = f()
        times.append((time.perf_counter() - t) * 1000)
    return out, sorted(times)[1]


def main():
    src, out = sys.argv[1], sys.argv[2]
    size = int(sys.argv[3]) if len(sys.argv) > 3 else 256
    os.makedirs(out, exist_ok=True)
    cv2.setNumThreads(1)
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    pairs = []
    for photo in PHOTOS:
        img = cv2.imread(os.path.join(src, photo), cv2.IMREAD_COLOR)
        h0, w0 = img.shape[:2]
        k = size / max(h0, w0)
        W, H = max(1, round(w0 * k)), max(1, round(h0 * k))
        a = cv2.resize(img, (W, H), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
        ys, xs = np.mgrid[0:H, 0:W].astype(np.float64)
        fwd, inv = motions(H, W)
        for name in fwd:
            sx, sy = inv[name](xs, ys)
            b = cv2.remap(a, sx.astype(np.float32), sy.astype(np.float32), cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT)
            b = np.clip(b, 0, 1)
            tx, ty = fwd[name](xs, ys)
            gt = np.stack([tx - xs, ty - ys], axis=2)
            inside = lambda u, v: (u >= BORDER) & (u <= W - 1 - BORDER) & (v >= BORDER) & (v <= H - 1 - BORDER)
            mask = (inside(xs, ys) & inside(tx, ty)).astype(np.float32)
            ga = cv2.cvtColor((a * 255).round().astype(np.uint8), cv2.COLOR_BGR2GRAY)
            gb = cv2.cvtColor((b * 255).round().astype(np.uint8), cv2.COLOR_BGR2GRAY)
            f_dis, ms_dis = timed(lambda: dis.calc(ga, gb, None))
            f_fb, ms_fb = timed(lambda: cv2.calcOpticalFlowFarneback(ga, gb, None, 0.5, 5, 15, 5, 5, 1.2, 0))
            key = f"{photo.split('.')[0]}_{name}"
            rgb = lambda im: np.ascontiguousarray(im[:, :, ::-1].transpose(2, 0, 1)).astype('<f4')
            rgb(a).tofile(os.path.join(out, key + '.a.f32'))
            rgb(b).tofile(os.path.join(out, key + '.b.f32'))
            np.ascontiguousarray(gt.transpose(2, 0, 1)).astype('<f4').tofile(os.path.join(out, key + '.gt.f32'))
            mask.astype('<f4').tofile(os.path.join(out, key + '.mask.f32'))
            pairs.append({'key': key, 'H': H, 'W': W, 'opencv': {
                'dis_medium': {'epe': epe(f_dis, gt, mask), 'ms': ms_dis},
                'farneback': {'epe': epe(f_fb, gt, mask), 'ms': ms_fb},
                'zero': {'epe': epe(np.zeros_like(gt), gt, mask), 'ms': 0},
            }})
    with open(os.path.join(out, 'manifest.json'), 'w') as f:
        json.dump({'size': size, 'border': BORDER, 'pairs': pairs}, f, indent=1)


if __name__ == '__main__':
    main()

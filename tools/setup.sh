#!/usr/bin/env bash
# One-time setup on a fresh Debian machine: Chromium (the page, the kernel tests, image decoding,
# and the engine on SwiftShader), Firefox ESR (the page and every kernel under wgpu, on lavapipe), the Vulkan loader (the engine in Node through Dawn), Debian's
# PyTorch (an independent reference used only by the tests and the benchmark), h5py (the tests
# compare the embedded SqueezeNet weights with their HDF5 source), the npm dependencies, and
# Mesa's lavapipe where it can be had (tools/lavapipe.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
[ -n "${CHROME:-}" ] || command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -n "${FIREFOX:-}" ] || command -v firefox-esr >/dev/null 2>&1 || need+=(firefox-esr)
ldconfig -p 2>/dev/null | grep 'libvulkan\.so\.1 ' >/dev/null || need+=(libvulkan1)
/usr/bin/python3 -c 'import torch' >/dev/null 2>&1 || need+=(python3-torchvision)
/usr/bin/python3 -c 'import h5py' >/dev/null 2>&1 || need+=(python3-h5py)
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg); /usr/bin/python3 -c 'import cv2' >/dev/null 2>&1 || need+=(python3-opencv)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]} with apt-get" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
bash tools/lavapipe.sh
echo "setup: ready (chromium: ${CHROME:-$(command -v chromium)})" >&2

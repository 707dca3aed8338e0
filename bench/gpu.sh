#!/usr/bin/env bash
# A GPU visit, prepared: the benchmark on a machine with a real GPU and only a Vulkan driver (no
# browser, no network), in well under 8 minutes. Needs node ≥ 20 and, beside this script's
# repository, bench/dist/bench-node.mjs (npm run bench:bundle) and node_modules/webgpu — bring
# them along if the machine cannot run npm ci. Writes bench/results/gpu-*.{json,md} (and copies
# them to $OUT when that is set), then prints the step tables.
#   bash bench/gpu.sh [NAME-PREFIX]
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:-gpu}"
command -v node >/dev/null || { echo "bench/gpu.sh: node (≥ 20) is needed" >&2; exit 1; }
[ -f bench/dist/bench-node.mjs ] || npm run -s bench:bundle
[ -d node_modules/webgpu ] || { echo "bench/gpu.sh: node_modules/webgpu is missing (npm ci, or copy it here)" >&2; exit 1; }
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
run() { echo "== node bench/dist/bench-node.mjs $*" >&2; timeout 240 node bench/dist/bench-node.mjs "$@"; }
# VGG19 and SqueezeNet steps with the fixed table, then autotuned (tables kept in the user's cache)
run --sizes 256,512,1024 --network squeezenet --name "$name-steps" --steps-only
run --sizes 256,512,1024 --network squeezenet --name "$name-steps-autotuned" --steps-only --autotune on
# past 1024²: exact tiles
run --sizes 2048 --tile 1024 --steps-only --name "$name-tiled-2048"
# kernel rows (every version at every layer shape) once, untuned
run --sizes 256 --name "$name-kernels"
if [ -n "${OUT:-}" ]; then cp bench/results/"$name"-*.json bench/results/"$name"-*.md "$OUT"/; fi

/** PyTorch CPU's Gatys step at the benchmark's sizes (bench/torch_step.py), where Debian's torch is installed. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { NetworkId } from '../src/model/networks.js';
import type { TorchSteps } from './table.js';

const PYTHON = process.env.NST_PYTHON || '/usr/bin/python3';

export function hasTorch(): boolean {
  return spawnSync(PYTHON, ['-c', 'import torch, torchvision'], { stdio: 'ignore' }).status === 0;
}

/** Times each network's step; null (and a line on stderr) when PyTorch is missing or fails. */
export function torchSteps(networks: NetworkId[], sizes: number[], threads: number, log: (s: string) => void): TorchSteps | null {
  if (!hasTorch()) {
    log(`PyTorch: not found (${PYTHON} cannot import torch and torchvision; on Debian: apt-get install python3-torchvision), so no comparison`);
    return null;
  }
  const script = fileURLToPath(new URL('./torch_step.py', import.meta.url));
  const all: TorchSteps = { version: '', threads, steps: [] };
  for (const network of networks) {
    log(`PyTorch CPU: ${network} steps at ${sizes.join(', ')} px, ${threads} threads`);
    const r = spawnSync(PYTHON, [script, '--network', network, '--sizes', sizes.join(','), '--threads', String(threads)], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (r.status !== 0) {
      log(`PyTorch: bench/torch_step.py failed (${(r.stderr || r.error?.message || '').trim().split('\n').pop()}), so no comparison`);
      return null;
    }
    const out = JSON.parse(r.stdout) as TorchSteps;
    all.version = out.version;
    all.steps.push(...out.steps);
  }
  return all;
}

/** The kernel explorer: every kernel's WGSL, its bindings, and a check against its CPU reference. */
import type { KernelLibrary } from '../src/kernels/library.js';
import { reflectKernel } from '../src/kernels/kernel.js';
import { OP_KINDS, REGISTRY } from '../src/kernels/registry.js';
import { KERNEL_NAMES, SHADERS, type KernelName } from '../src/kernels/shaders.js';
import { CHECKS, maxRelError } from './checks.js';
import { $, clearError } from './dom.js';

/** Which registered op versions use a kernel (registry.ts), e.g. "version 3 ("rows") of conv_forward, conv_backward_input: …". */
function versionsUsing(name: KernelName): string {
  const uses = new Map<string, string[]>();
  for (const kind of OP_KINDS) {
    for (const v of REGISTRY[kind]) {
      if (!(v.kernels as string[]).includes(name)) continue;
      const key = `version ${v.number} ("${v.id}")|${v.summary}`;
      uses.set(key, [...(uses.get(key) ?? []), kind]);
    }
  }
  return [...uses].map(([key, kinds]) => {
    const [version, summary] = key.split('|');
    return `${version} of ${kinds.join(', ')}: ${summary}`;
  }).join('; ');
}

function showKernel(name: KernelName): void {
  for (const b of document.querySelectorAll<HTMLButtonElement>('#kernel-list button')) b.setAttribute('aria-pressed', String(b.dataset.kernel === name));
  const src = SHADERS[name];
  const k = reflectKernel(name, src);
  $('kernel-name').textContent = name;
  const versions = versionsUsing(name);
  $('kernel-info').textContent = `${versions ? `${versions}. ` : ''}Workgroup size ${k.workgroupSize.join('×')}, entry point ${k.entryPoint}; check shape: ${CHECKS[name]?.shape ?? '—'}`;
  $('kernel-bindings').innerHTML =
    '<tr><th scope="col">binding</th><th scope="col">name</th><th scope="col">kind</th></tr>' +
    k.bindings.map((b) => `<tr><td>${b.binding}</td><td>${b.name}</td><td>${b.kind}</td></tr>`).join('') +
    `<tr><td colspan="3">params: ${k.params.map((p) => `${p.name}: ${p.type} @${p.offset}`).join(', ')}</td></tr>`;
  $('kernel-source').textContent = src;
  $('kernel-result').textContent = '';
  $('kernel-run').dataset.kernel = name;
}

async function runCheck(library: () => Promise<KernelLibrary>): Promise<void> {
  const name = $('kernel-run').dataset.kernel as KernelName;
  const check = CHECKS[name];
  if (!check) return;
  clearError('explorer');
  const l = await library();
  // the subgroup versions need a feature some adapters lack (Firefox's wgpu has none): say so, run nothing
  if (/^enable subgroups;/m.test(SHADERS[name]) && !l.ctx.info.subgroups) {
    $('kernel-result').textContent = 'not run: this version needs the WebGPU "subgroups" feature (4 lanes or more), which this adapter does not offer; the engine uses the versions without it here';
    return;
  }
  $('kernel-result').textContent = 'running…';
  const t0 = performance.now();
  const pairs = await check.run(l);
  const ms = performance.now() - t0;
  const err = maxRelError(pairs);
  $('kernel-result').textContent = `max relative error ${err.toExponential(2)} (vs the CPU reference), ${ms.toFixed(1)} ms including upload and readback — ${err < 1e-4 ? 'OK' : 'MISMATCH'}`;
}

/** Fill the kernel list (one button per kernel) and wire the check button through `guard`. */
export function setupExplorer(library: () => Promise<KernelLibrary>, guard: (f: () => Promise<void>) => () => void): void {
  const list = $('kernel-list');
  for (const name of KERNEL_NAMES) {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = name;
    b.dataset.kernel = name;
    b.onclick = () => showKernel(name);
    li.append(b);
    list.append(li);
  }
  showKernel('conv/v1_direct_forward');
  $('kernel-run').onclick = guard(() => runCheck(library));
}

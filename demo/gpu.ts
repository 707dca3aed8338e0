/** The page's GPU: its kernel library (made on first use, again after a loss or a forced stop), and what a CPU (software) adapter changes. */
import { createGpuContext, describeContext, type GpuContext } from '../src/kernels/context.js';
import { KernelLibrary } from '../src/kernels/library.js';
import { SQUEEZENET } from '../src/model/networks.js';
import { $, clearError, setError } from './dom.js';
import { state } from './state.js';
import { PAGE_RECONSTRUCTION_DEFAULTS } from '../src/nst/defaults.js';
import { RUN_DEFAULTS, useSoftwareDefaults } from './network_defaults.js';
import { scalePriors, useSoftwarePriors } from './run_plan.js';
import { probeSeconds, PROBE_REFERENCE_SECONDS, watchProbes } from './speed_probe.js';
import { showEstimate } from './settings.js';

let lib: KernelLibrary | null = null;

/** The page's kernel library, once made (null: none yet, or dropped). */
export const currentLibrary = (): KernelLibrary | null => lib;

/** The page's kernel library on a working GPU device (a new one after a loss or a forced stop). */
export async function library(): Promise<KernelLibrary> {
  if (lib && lib.ctx.lostReason === null) return lib;
  const ctx: GpuContext = await createGpuContext();
  ctx.lost.then((info) => {
    if (info.reason === 'destroyed') return;
    setError('gpu', `The GPU device was lost (${info.message || info.reason}). Your browser may have reset the GPU.`, {
      label: 'Restart the GPU',
      run: () => {
        lib = null;
        clearError('gpu');
      },
    });
  });
  lib = new KernelLibrary(ctx);
  clearError('gpu');
  $('gpu-info').textContent = `Adapter: ${describeContext(ctx)}`;
  if (document.body.dataset.gpu === undefined) adaptToAdapter(ctx.info.isSoftware);
  return lib;
}

/** Destroy the GPU device (a Stop the job did not answer in time: stopping.ts); the next run gets a fresh one. */
export function dropDevice(): void {
  const l = lib;
  lib = null;
  l?.ctx.device.destroy();
  afterForcedStop.gpuFinishing = true;
}
/** After a forced stop the GPU still finishes the work queued before it (it cannot be recalled): the next run waits for it, and says so. */
export const afterForcedStop = { gpuFinishing: false };

/** On a CPU (software) adapter: say so, and lower the defaults the user has not changed. */
function adaptToAdapter(software: boolean): void {
  document.body.dataset.gpu = software ? 'software' : 'hardware';
  if (!software) return;
  const lower = (id: string, from: string, to: string) => {
    const input = $<HTMLInputElement>(id);
    if (input.value === from) input.value = to;
  };
  useSoftwareDefaults();
  const r = PAGE_RECONSTRUCTION_DEFAULTS;
  lower('recon-size', String(r.hardware.size), String(r.software.size));
  lower('recon-iters', String(r.hardware.iters), String(r.software.iters));
  useSoftwarePriors();
  // how busy the cores are now: the priors follow (a run's own measurements replace them)
  const probing = lib;
  if (probing)
    watchProbes(() => probeSeconds(probing), () => !!state.job, (seconds, probes) => {
      Object.assign(window, { nstProbeSeconds: seconds, nstProbes: [...probes] });
      scalePriors(seconds / PROBE_REFERENCE_SECONDS);
      showEstimate();
    });
  const d = RUN_DEFAULTS.software;
  const note = $('adapter-note');
  note.textContent =
    'Your browser runs WebGPU on the CPU (a software adapter): runs are slow, so the defaults are reduced to finish in about a minute ' +
    `(${SQUEEZENET.label}: ${d.squeezenet.size} px, ${d.squeezenet.iters} steps; VGG19: ${d.vgg19.size} px, ${d.vgg19.iters} steps). With a GPU, larger sizes take seconds.`;
  note.hidden = false;
  showEstimate();
}

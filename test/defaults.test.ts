/**
 * The defaults live in src/nst/defaults.ts; the CLI's help is made from it and README.md's defaults
 * table restates it. This checks that neither can disagree with the module (the page's fields are
 * checked in test/demo.test.ts, "the fields start at the defaults module's values").
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_OPTIONS, JOB_DEFAULTS, LBFGS_LR, networkDefaults, RANDOM_NETWORK_DEFAULTS, RANDOM_SQUEEZENET_DEFAULTS, RECONSTRUCTION_DEFAULTS, TOOL_SIZES } from '../src/nst/defaults.js';
import { resolveOptions, type LayerWeight, type StyleTransferOptions } from '../src/nst/options.js';
import { prepareJob, type JobConfig, type WeightsSource } from '../src/job/prepare.js';
import type { KernelLibrary } from '../src/kernels/library.js';
import { Planner } from '../src/kernels/plan.js';
import type { Picture } from '../src/io/decode.js';
import type { NetworkWeights } from '../src/model/weights.js';
import type { NetworkId } from '../src/model/networks.js';
import { jobHelp, parseJob, WEIGHTS_HELP } from '../tools/lib/job_args.js';
import { RECONSTRUCT_HELP } from '../tools/lib/reconstruct_args.js';
import { Args } from '../tools/lib/args.js';

/** resolveOptions, counted (every importer of options.ts in this file sees the counting one). */
const resolveCalls = vi.hoisted(() => ({ n: 0 }));
vi.mock('../src/nst/options.js', async (original) => {
  const m = await original<typeof import('../src/nst/options.js')>();
  return { ...m, resolveOptions: (...a: Parameters<typeof m.resolveOptions>) => (resolveCalls.n++, m.resolveOptions(...a)) };
});

/** 1e4 for 10000, as the README and the help write large weights. */
const num = (v: number) => (Math.abs(v) >= 1e4 ? v.toExponential().replace('e+', 'e') : String(v));
const layers = (ls: LayerWeight[]) => ls.map((l) => (l.weight === 1 ? l.name : `${l.name}:${num(l.weight)}`)).join(',');

/** README.md's defaults table: option → [VGG19, SqueezeNet]. */
function readmeTable(): Map<string, [string, string]> {
  const text = readFileSync('README.md', 'utf8');
  const begin = text.indexOf('<!-- defaults table');
  const end = text.indexOf('<!-- end of defaults table -->');
  expect(begin, 'README.md has its defaults table').toBeGreaterThan(0);
  const rows = text.slice(begin, end).split('\n').filter((l) => l.startsWith('| `'));
  return new Map(rows.map((r) => {
    const [option, vgg, squeeze] = r.split('|').slice(1, 4).map((c) => c.trim());
    return [option.replace(/`/g, '').split(' ')[0], [vgg, squeeze]];
  }));
}

describe('one defaults module', () => {
  const V = networkDefaults('vgg19');
  const S = networkDefaults('squeezenet');

  it("README.md's table gives the module's values for both networks", () => {
    const expected: Record<string, [string, string]> = {
      '--content-layers': [layers(V.contentLayers), layers(S.contentLayers)],
      '--style-layers': [layers(V.styleLayers), layers(S.styleLayers)],
      '--content-weight': [num(V.contentWeight), num(S.contentWeight)],
      '--style-weight': [num(V.styleWeight), num(S.styleWeight)],
      '--tv-weight': [num(V.tvWeight), num(S.tvWeight)],
      '--lr': [String(V.lr), String(S.lr)],
      '--iters': [String(V.iterations), String(S.iterations)],
      '--size': [String(TOOL_SIZES.stylize), String(TOOL_SIZES.stylize)],
      '--pooling': [V.pooling, S.pooling],
    };
    expect(Object.fromEntries(readmeTable())).toEqual(expected);
  });

  it('the help states every default the module holds', () => {
    const stylize = jobHelp('stylize');
    for (const line of [
      `(default ${TOOL_SIZES.stylize})`,
      `alpha (default ${num(V.contentWeight)}) [${num(S.contentWeight)}]`,
      `beta (default ${num(V.styleWeight)}; ${num(RANDOM_NETWORK_DEFAULTS.stylize.styleWeight!)} with the seeded random VGG19) [${num(S.styleWeight)}]`,
      `(default ${layers(V.contentLayers)})`,
      `default ${layers(V.styleLayers)} (equal weights)`,
      `[${layers(S.styleLayers)}]`,
      `initial image (default ${V.init})`,
      `(default ${V.lr} [${S.lr}] for adam, ${LBFGS_LR} for lbfgs)`,
      `optimisation steps (default ${V.iterations} [${S.iterations}])`,
      `seed for noise init (default ${V.seed})`,
      `style images resized to S × size (default ${JOB_DEFAULTS.styleScale})`,
    ]) expect(stylize).toContain(line);
    expect(jobHelp('gradient')).toContain(`longer side of the output in pixels (default ${TOOL_SIZES.gradient})`);
    expect(WEIGHTS_HELP).toContain(`(default ${JOB_DEFAULTS.weightsSeed})`);
    expect(RECONSTRUCT_HELP).toContain(`(default ${TOOL_SIZES.reconstruct})`);
    expect(RECONSTRUCT_HELP).toContain(`steps per reconstruction (default ${RECONSTRUCTION_DEFAULTS.iterations})`);
  });

  it('what the CLI runs with no flags is what the module says', () => {
    for (const tool of ['stylize', 'gradient'] as const) {
      const job = parseJob(new Args(['--content', 'a.png', '--style', 'b.png', '--network', 'vgg19'], []), tool);
      expect(job.config.size).toBe(TOOL_SIZES[tool]);
      expect(job.config.styleScale).toBe(JOB_DEFAULTS.styleScale);
      // the gradient tool evaluates once, at one scale
      expect(job.config.scales).toBe(tool === 'gradient' ? 1 : JOB_DEFAULTS.scales);
      expect(job.weightsSeed).toBe(JOB_DEFAULTS.weightsSeed);
      expect(job.config.options.optimizer).toBe(DEFAULT_OPTIONS.optimizer);
    }
    // the step is the job's to fill in (below: the same for every caller)
    const lbfgs = parseJob(new Args(['--content', 'a.png', '--style', 'b.png', '--optimizer', 'lbfgs'], []), 'stylize');
    expect(lbfgs.config.options.lr).toBeUndefined();
  });
});

/** A library enough for prepareJob (limits and planner; no GPU work happens before the first pass). */
const lib = { ctx: { limits: { maxStorageBufferBindingSize: 2 ** 30 } }, planner: new Planner({ isSoftware: false }) } as unknown as KernelLibrary;
const picture = (width: number, height: number): Picture => ({ width, height, rasterize: async (w, h) => ({ width: w, height: h, data: new Uint8Array(w * h * 4).fill(128) }) });
/** Weights as prepareJob sees them (it checks their network and whether they are the seeded random ones). */
const loaded = (network: NetworkId, random = false): WeightsSource => ({ kind: 'loaded', weights: { network, source: `test ${network}`, ...(random ? { random: { seed: 1 } } : {}) } as NetworkWeights });
const images = { content: picture(80, 60), styles: [{ blob: picture(64, 64), blend: 1, name: 'style' }], contentName: 'content' };
const config = (options: Partial<StyleTransferOptions>, more: Partial<JobConfig> = {}): JobConfig => ({ size: 64, styleScale: 1, options, reportEvery: 1, saveEvery: 0, ...more });
/** The options of each scale of a prepared job. */
const prepared = async (options: Partial<StyleTransferOptions>, src: WeightsSource = loaded(options.network ?? 'vgg19'), more: Partial<JobConfig> = {}) =>
  (await prepareJob(lib, images, src, config(options, more))).scales.map((s) => s.options);

describe('every caller resolves the same options (issue 39)', () => {
  const V = networkDefaults('vgg19');
  const S = networkDefaults('squeezenet');

  it("a SqueezeNet job without steps gets SqueezeNet's, at one scale and coarse to fine", async () => {
    expect(S.iterations).not.toBe(V.iterations);
    expect(resolveOptions({ network: 'squeezenet' }).iterations).toBe(S.iterations);
    expect((await prepared({ network: 'squeezenet' })).map((o) => o.iterations)).toEqual([S.iterations]);
    const c2f = await prepareJob(lib, images, loaded('squeezenet'), config({ network: 'squeezenet' }, { size: 256 }));
    expect(c2f.schedule.iterations[0]).toBe(S.iterations);
    expect(c2f.scales.map((s) => s.options.iterations)).toEqual(c2f.schedule.iterations);
  });

  it('L-BFGS without a step gets LBFGS_LR from every entry point; Adam the network\'s rate', async () => {
    for (const network of ['vgg19', 'squeezenet'] as const) {
      expect(resolveOptions({ network, optimizer: 'lbfgs' }).lr).toBe(LBFGS_LR);
      expect(resolveOptions({ network, optimizer: 'lbfgs', lr: 0.3 }).lr).toBe(0.3);
      expect(resolveOptions({ network }).lr).toBe(networkDefaults(network).lr);
      expect((await prepared({ network, optimizer: 'lbfgs' })).map((o) => o.lr)).toEqual([LBFGS_LR]);
      // the CLI's job, run by the page it drives (prepareJob), as a library caller's with the same settings
      const cli = parseJob(new Args(['--content', 'a.png', '--style', 'b.png', '--network', network, '--optimizer', 'lbfgs', '--scales', '1'], []), 'stylize');
      const viaCli = await prepared(JSON.parse(JSON.stringify(cli.config.options)));
      expect(viaCli.map((o) => o.lr)).toEqual([LBFGS_LR]);
      expect(viaCli).toEqual(await prepared({ network, optimizer: 'lbfgs' }));
    }
  });

  it("seeded random weights run with their network's own settings, known before loading", async () => {
    const [rv] = await prepared({}, loaded('vgg19', true));
    expect([rv.pooling, rv.styleWeight, rv.tvWeight]).toEqual([RANDOM_NETWORK_DEFAULTS.stylize.pooling, RANDOM_NETWORK_DEFAULTS.stylize.styleWeight, RANDOM_NETWORK_DEFAULTS.stylize.tvWeight]);
    const [rs] = await prepared({ network: 'squeezenet' }, { kind: 'random', seed: 1, network: 'squeezenet' });
    expect([rs.pooling, rs.tvWeight, rs.iterations]).toEqual(['max', RANDOM_SQUEEZENET_DEFAULTS.stylize.tvWeight, S.iterations]);
    const [mine] = await prepared({ tvWeight: 2 }, loaded('vgg19', true));
    expect(mine.tvWeight).toBe(2);
  });

  it('a job resolves its options once, and every scale gets them with its steps', async () => {
    resolveCalls.n = 0;
    const job = await prepareJob(lib, images, loaded('vgg19'), config({ styleWeight: 5 }, { size: 256, scales: 3 }));
    expect(resolveCalls.n).toBe(1);
    expect(job.scales.map((s) => s.options.iterations)).toEqual([V.iterations, V.iterations, V.iterations]);
    expect(job.scales.every((s) => s.options.styleWeight === 5)).toBe(true);
    // resolved options pass through resolveOptions unchanged (StyleTransfer.create takes them as they are)
    expect(resolveOptions(job.scales[1].options)).toBe(job.scales[1].options);
  });
});

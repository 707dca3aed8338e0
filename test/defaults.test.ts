/**
 * The defaults live in src/nst/defaults.ts; the CLI's help is made from it and README.md's defaults
 * table restates it. This checks that neither can disagree with the module (the page's fields are
 * checked in test/demo.test.ts, "the fields start at the defaults module's values").
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, JOB_DEFAULTS, LBFGS_LR, networkDefaults, RANDOM_NETWORK_DEFAULTS, RECONSTRUCTION_DEFAULTS, TOOL_SIZES } from '../src/nst/defaults.js';
import type { LayerWeight } from '../src/nst/options.js';
import { jobHelp, parseJob, WEIGHTS_HELP } from '../tools/lib/job_args.js';
import { RECONSTRUCT_HELP } from '../tools/lib/reconstruct_args.js';
import { Args } from '../tools/lib/args.js';

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
    const lbfgs = parseJob(new Args(['--content', 'a.png', '--style', 'b.png', '--optimizer', 'lbfgs'], []), 'stylize');
    expect(lbfgs.config.options.lr).toBe(LBFGS_LR);
  });
});

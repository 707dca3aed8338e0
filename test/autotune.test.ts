/**
 * The planner and autotuning. Node: the fixed table, plans and their errors, the registry's
 * coverage by the tests and the explorer, reading stored tables. Headless Chromium (SwiftShader):
 * tuning with a fake timer picks the fastest version, a stored table is reused without timing, a
 * damaged or foreign table is ignored with a message, and any tuned choice gives the same losses.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../demo/checks.js';
import { adapterKey, emptyTable, parseTable, type AdapterIdentity } from '../src/kernels/tuning_table.js';
import { adapterClass } from '../src/kernels/adapter_class.js';
import { eligibleVersions, OP_KINDS, REGISTRY, type OpKind } from '../src/kernels/registry.js';
import { fixedChoice, tuningCandidates } from '../src/kernels/fixed_choice.js';
import { makePlan, newPlanRecord, Planner } from '../src/kernels/plan.js';
import { bundleForBrowser } from '../tools/lib/bundle.js';
import { launchGpuPage, type BrowserSession } from '../tools/lib/browser.js';
import type { AutotuneTestApi } from './harness/autotune_entry.js';
import { CONV_TEST_SHAPES } from './harness/conv_shapes.js';
import { KernelLibrary } from '../src/kernels/library.js';
import { SHADERS } from '../src/kernels/shaders.js';
import type { GpuContext } from '../src/kernels/context.js';

const SOFTWARE = { isSoftware: true }, GPU = { isSoftware: false };

describe('the fixed table (what runs without measurements)', () => {
  it('conv: Winograd F(4×4) / F(2×2) / flat16 / version 1 on software adapters, rows_vec4 / rows / version 1 with split-K on GPUs', () => {
    const conv = (R: number, N: number, K: number, H: number, W: number) => ({ R, N, K, H, W });
    expect(fixedChoice('conv_forward', conv(64, 64, 3, 64, 64), SOFTWARE)).toEqual({ version: 'v6_winograd4', splits: 1 });
    expect(fixedChoice('conv_forward', conv(64, 64, 3, 16, 16), SOFTWARE)).toEqual({ version: 'v6_winograd4', splits: 1 }); // 16 tiles of 4×4: WINOGRAD4_MIN_TILES
    expect(fixedChoice('conv_forward', conv(64, 64, 3, 13, 16), SOFTWARE)).toEqual({ version: 'v6_winograd4', splits: 1 }); // 4 rows of tiles, the last one cut to 1 pixel
    expect(fixedChoice('conv_forward', conv(64, 64, 3, 12, 16), SOFTWARE)).toEqual({ version: 'v5_winograd', splits: 1 }); // 12 tiles of 4×4
    expect(fixedChoice('conv_forward', conv(512, 512, 3, 8, 8), SOFTWARE)).toEqual({ version: 'v5_winograd', splits: 1 });
    expect(fixedChoice('conv_forward', conv(512, 512, 3, 2, 2), SOFTWARE)).toEqual({ version: 'v2_flat16', splits: 1 }); // 1 tile: below WINOGRAD_MIN_TILES
    expect(fixedChoice('conv_forward', conv(3, 10, 5, 9, 9), SOFTWARE)).toEqual({ version: 'v2_flat16', splits: 1 }); // K = 5: no Winograd; 10 channels pad to 16
    expect(fixedChoice('conv_forward', conv(3, 3, 5, 9, 9), SOFTWARE)).toEqual({ version: 'v1_direct', splits: 1 }); // 3 channels pad to 8
    expect(fixedChoice('conv_forward', conv(64, 64, 3, 256, 256), GPU)).toEqual({ version: 'v4_rows_vec4', splits: 1 });
    expect(fixedChoice('conv_backward_input', conv(64, 64, 3, 9, 9), GPU).version).toBe('v3_rows');
    expect(fixedChoice('conv_forward', conv(512, 512, 3, 4, 4), GPU)).toEqual({ version: 'v1_direct', splits: 16 }); // few pixels: split the 512 channels
  });
  it('gram and reduce: barrier-free versions on software adapters', () => {
    expect(fixedChoice('gram_forward', { C: 64, M: 4096 }, SOFTWARE).version).toBe('v2_vec4');
    expect(fixedChoice('gram_forward', { C: 64, M: 3969 }, SOFTWARE).version).toBe('v0_blocks'); // 63×63: rows not on vec4 boundaries, few positions
    expect(fixedChoice('gram_forward', { C: 64, M: 16129 }, SOFTWARE).version).toBe('v3_tiles8'); // 127×127
    expect(fixedChoice('gram_forward', { C: 64, M: 4096 }, GPU).version).toBe('v1_lanes');
    expect(fixedChoice('gram_backward', { C: 64, M: 4096 }, SOFTWARE).version).toBe('v1_wide');
  });
  it('lavapipe has an entry of its own: the backward pass takes F(4×4) from 4 tiles, flat16 below; the Gram backward flat', () => {
    const LAVAPIPE = { isSoftware: true, device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)' };
    const SWIFTSHADER = { isSoftware: true, device: '', description: 'SwiftShader driver 5.0.0' };
    expect([LAVAPIPE, SWIFTSHADER, GPU].map(adapterClass)).toEqual(['lavapipe', 'swiftshader', 'gpu']);
    const small = { R: 512, N: 512, K: 3, H: 4, W: 4 };
    expect(fixedChoice('conv_backward_input', small, LAVAPIPE).version).toBe('v2_flat16');
    expect(fixedChoice('conv_backward_input', small, SWIFTSHADER).version).toBe('v5_winograd');
    expect(fixedChoice('conv_forward', small, LAVAPIPE).version).toBe('v5_winograd');
    expect(fixedChoice('conv_backward_input', { R: 64, N: 64, K: 3, H: 64, W: 64 }, LAVAPIPE).version).toBe('v6_winograd4');
    expect(fixedChoice('conv_backward_input', { R: 64, N: 64, K: 3, H: 12, W: 12 }, LAVAPIPE).version).toBe('v6_winograd4');
    const block4 = { R: 512, N: 512, K: 3, H: 8, W: 8 }; // 4 tiles of 4×4
    expect(fixedChoice('conv_backward_input', block4, LAVAPIPE).version).toBe('v6_winograd4');
    expect(fixedChoice('conv_backward_input', block4, SWIFTSHADER).version).toBe('v5_winograd');
    expect(fixedChoice('conv_forward', block4, LAVAPIPE).version).toBe('v5_winograd');
    // lean weights (a memory budget): no F(4×4) filters; the small map's flat16
    expect(fixedChoice('conv_backward_input', block4, LAVAPIPE, true).version).toBe('v2_flat16');
    // with subgroups, lavapipe takes the same tile sizes with subgroup products (versions 7 and 8); SwiftShader keeps 5 and 6
    const LAVAPIPE_SG = { ...LAVAPIPE, subgroups: true }, SWIFTSHADER_SG = { ...SWIFTSHADER, subgroups: true };
    expect(fixedChoice('conv_backward_input', block4, LAVAPIPE_SG).version).toBe('v8_winograd4_subgroups');
    expect(fixedChoice('conv_forward', block4, LAVAPIPE_SG).version).toBe('v7_winograd_subgroups');
    expect(fixedChoice('conv_forward', { R: 64, N: 64, K: 3, H: 64, W: 64 }, LAVAPIPE_SG).version).toBe('v8_winograd4_subgroups');
    expect(fixedChoice('conv_backward_input', small, LAVAPIPE_SG).version).toBe('v7_winograd_subgroups'); // flat16 without subgroups
    expect(fixedChoice('conv_backward_input', block4, LAVAPIPE_SG, true).version).toBe('v7_winograd_subgroups'); // lean: F(2×2)'s filters, not F(4×4)'s
    expect(fixedChoice('conv_forward', block4, SWIFTSHADER_SG).version).toBe('v5_winograd');
    expect(fixedChoice('gram_backward', { C: 512, M: 16 }, LAVAPIPE_SG).version).toBe('v3_subgroups');
    expect(fixedChoice('gram_forward', { C: 64, M: 4096 }, LAVAPIPE_SG).version).toBe('v5_subgroups');
    expect(fixedChoice('gram_forward', { C: 64, M: 961 }, LAVAPIPE_SG).version).toBe('v0_blocks');
    expect(fixedChoice('gram_forward', { C: 64, M: 4096 }, SWIFTSHADER_SG).version).toBe('v2_vec4');
    expect(fixedChoice('gram_backward', { C: 512, M: 961 }, LAVAPIPE_SG).version).toBe('v2_flat'); // H·W not a multiple of 4
    expect(fixedChoice('gram_backward', { C: 512, M: 16 }, SWIFTSHADER_SG).version).toBe('v1_wide');
    // fewer than 64 channels on either side (SqueezeNet's expand convs, VGG19's conv1_1 backward): versions 5 and 6
    expect(fixedChoice('conv_forward', { R: 16, N: 64, K: 3, H: 31, W: 31 }, LAVAPIPE_SG).version).toBe('v6_winograd4');
    expect(fixedChoice('conv_backward_input', { R: 64, N: 16, K: 3, H: 31, W: 31 }, LAVAPIPE_SG).version).toBe('v6_winograd4');
    expect(fixedChoice('gram_backward', { C: 512, M: 16 }, LAVAPIPE).version).toBe('v2_flat');
    expect(fixedChoice('gram_backward', { C: 512, M: 16 }, SWIFTSHADER).version).toBe('v1_wide');
    expect(fixedChoice('reduce', { n: 1000 }, SOFTWARE).version).toBe('v1_chunks');
    expect(fixedChoice('reduce', { n: 1000 }, GPU).version).toBe('v0_tree');
  });
});

describe('plans', () => {
  it('size scratch: split-K slices, Winograd chunks, Gram slices', () => {
    expect(makePlan('conv_forward', { R: 512, N: 512, K: 3, H: 4, W: 4 }, { version: 'v1_direct', splits: 16 }).scratch).toEqual({ slices: 16 * 512 * 16 });
    const w = makePlan('conv_forward', { R: 64, N: 64, K: 3, H: 512, W: 512 }, { version: 'v5_winograd', splits: 1 });
    expect(w.scratch.winogradData).toBeLessThanOrEqual(4 * 2 ** 20); // chunked, not the whole 268 MB
    expect(makePlan('gram_forward', { C: 6, M: 9000 }, { version: 'v0_blocks', splits: 1 }).splits).toBeGreaterThan(1);
    // more slices than channels: one channel per slice
    expect(makePlan('conv_forward', { R: 3, N: 8, K: 3, H: 8, W: 8 }, { version: 'v1_direct', splits: 32 }).splits).toBe(3);
  });
  it('refuse a version that cannot run the shape, naming the op and why', () => {
    expect(() => makePlan('conv_forward', { R: 3, N: 8, K: 5, H: 9, W: 9 }, { version: 'v5_winograd', splits: 1 })).toThrow(/conv_forward R3 N8 K5 H9 W9: .*needs a 3×3 kernel/);
    expect(() => makePlan('conv_forward', { R: 3, N: 8, K: 3, H: 9, W: 6 }, { version: 'v3_rows', splits: 1 })).toThrow(/at least 8 wide/);
    expect(() => makePlan('conv_forward', { R: 3, N: 3, K: 3, H: 9, W: 9 }, { version: 'v2_flat16', splits: 1 })).toThrow(/multiple of 16/);
    expect(() => makePlan('conv_forward', { R: 8, N: 8, K: 3, H: 9, W: 9 }, { version: 'v5_winograd', splits: 2 })).toThrow(/does not split/);
    expect(() => makePlan('conv_forward', { R: 8, N: 8, K: 3, H: 9, W: 9 }, { version: 'fast' as never, splits: 1 })).toThrow(/unknown conv_forward version "fast"/);
  });
  it('the planner prefers a tuned choice, then a forced version, then the fixed table; `with` makes a copy', () => {
    const p = new Planner(GPU);
    const shape = { R: 64, N: 64, K: 3, H: 32, W: 32 };
    expect(p.plan('conv_forward', shape).version).toBe('v4_rows_vec4');
    const forced = p.with({ force: { conv_forward: 'v5_winograd' } });
    expect(forced.plan('conv_forward', shape).version).toBe('v5_winograd');
    const tuned = forced.with({ tuned: new Map([['conv_forward R64 N64 K3 H32 W32', { version: 'v2_flat16', splits: 2 }]]) });
    expect(tuned.plan('conv_forward', shape)).toMatchObject({ version: 'v2_flat16', splits: 2 });
    const record = newPlanRecord();
    tuned.with({ record }).plan('conv_forward', shape);
    tuned.with({ record }).plan('conv_backward_input', shape);
    expect([...record.hits]).toEqual(['conv_forward R64 N64 K3 H32 W32']);
    expect([...record.misses.keys()]).toEqual(['conv_backward_input R64 N64 K3 H32 W32']);
    // planners are values: the ones made from are unchanged, frozen, and share their root
    expect(p.plan('conv_forward', shape).version).toBe('v4_rows_vec4');
    expect(forced.plan('conv_forward', shape).version).toBe('v5_winograd');
    for (const q of [p, forced, tuned]) {
      expect(Object.isFrozen(q) && Object.isFrozen(q.force)).toBe(true);
      expect(q.root).toBe(p);
    }
    expect(() => ((p as { lean: boolean }).lean = true)).toThrow(TypeError);
    expect(p.tuned.size + Object.keys(p.force).length).toBe(0);
  });
  it("a library's handles: its own planner is the fixed table's, withPlanner gives a handle on the same kernels planning otherwise", () => {
    const device = { createShaderModule: () => ({}), createBindGroupLayout: () => ({}), createPipelineLayout: () => ({}), createComputePipeline: () => ({}) } as unknown as GPUDevice;
    const lib = new KernelLibrary({ device, adapter: null, info: { ...GPU, vendor: '', architecture: '', device: '', description: '', subgroups: false } } as unknown as GpuContext);
    const own = lib.planner;
    const lean = lib.withPlanner(own.with({ lean: true }));
    expect(lean.planner.lean).toBe(true);
    expect(lib.planner).toBe(own);
    expect(lean.memory).toBe(lib.memory);
    expect(lean.kernel('reduce/v0_tree')).toBe(lib.kernel('reduce/v0_tree'));
    expect(lean.planner.lean).toBe(true);
  });
  it('tuning candidates: every tuned version that fits, direct ones also split where the GPU rule splits', () => {
    const names = (kind: OpKind, shape: never) => tuningCandidates(kind, shape).map((c) => `${c.version}/${c.splits}`);
    const sg = ['v7_winograd_subgroups/1', 'v8_winograd4_subgroups/1'];
    expect(names('conv_forward', { R: 512, N: 512, K: 3, H: 4, W: 4 } as never)).toEqual(['v1_direct/1', 'v1_direct/16', 'v2_flat16/1', 'v2_flat16/16', 'v5_winograd/1', 'v6_winograd4/1', ...sg]);
    expect(names('conv_forward', { R: 64, N: 64, K: 3, H: 256, W: 256 } as never)).toEqual(['v1_direct/1', 'v2_flat16/1', 'v3_rows/1', 'v4_rows_vec4/1', 'v5_winograd/1', 'v6_winograd4/1', ...sg]);
    expect(names('conv_forward', { R: 64, N: 64, K: 3, H: 64, W: 64 } as never)).toContain('v4_rows_vec4/2'); // 4096 invocations: split in 2
    expect(names('reduce', { n: 10 } as never)).toEqual(['v0_tree/1', 'v1_chunks/1']);
    // a device without subgroups never times versions 7 and 8
    const noSubgroups = tuningCandidates('conv_forward', { R: 64, N: 64, K: 3, H: 64, W: 64 }, { subgroups: false }).map((c) => c.version);
    expect(noSubgroups).toContain('v6_winograd4');
    expect(noSubgroups.filter((v) => v.endsWith('_subgroups'))).toEqual([]);
    expect(tuningCandidates('conv_forward', { R: 64, N: 64, K: 3, H: 64, W: 64 }, { subgroups: true }).map((c) => c.version)).toContain('v8_winograd4_subgroups');
  });
});

describe('the registry', () => {
  it('lists each op kind with versions numbered from the simplest, unique ids, and kernels that exist', () => {
    for (const kind of OP_KINDS) {
      const numbers = REGISTRY[kind].map((v) => v.number);
      expect(numbers, kind).toEqual([...numbers].sort((a, b) => a - b));
      expect(new Set(REGISTRY[kind].map((v) => v.id)).size, kind).toBe(REGISTRY[kind].length);
    }
  });
  it('ids are the shader file stems, numbered from v0: shaders/OP/vN_NAME.wgsl (or vN_NAME_STAGE.wgsl for a version of several kernels)', () => {
    for (const kind of OP_KINDS) {
      REGISTRY[kind].forEach((v, i) => {
        expect(v.number, `${kind} ${v.id}`).toBe(i);
        expect(v.id, kind).toMatch(new RegExp(`^v${i}_[a-z0-9_]+$`));
        const stems = v.kernels.map((k) => k.split('/')[1]);
        // the version's own kernels carry its id; shared ones (sum_slices) carry no version number;
        // a version may reuse an earlier version's kernels (7 and 8: the transforms of 5 and 6)
        const own = (k: string) => k === v.id || k.startsWith(`${v.id}_`);
        const earlier = (k: string) => REGISTRY[kind].some((x) => x.number < v.number && (k === x.id || k.startsWith(`${x.id}_`)));
        expect(stems.filter((k) => /^v\d+_/.test(k)).every((k) => own(k) || earlier(k)), `${kind} ${v.id}: ${stems}`).toBe(true);
        expect(own(stems[0]) || !/^v\d+_/.test(stems[0]), `${kind} ${v.id}: its first kernel is its own or a shared one`).toBe(true);
      });
    }
  });
  it('a device without subgroups gets a one-line error naming the kernel before anything compiles, for every subgroup kernel', () => {
    let compiled = 0;
    const device = { createShaderModule: () => (compiled++, {}) } as unknown as GPUDevice;
    const lib = new KernelLibrary({ device, adapter: null, info: { vendor: '', architecture: '', device: '', description: '', isSoftware: true, subgroups: false } } as unknown as GpuContext);
    const needing = OP_KINDS.flatMap((kind) => REGISTRY[kind].filter((v) => v.needs === 'subgroups').flatMap((v) => v.kernels.filter((k) => /^enable subgroups;/m.test(SHADERS[k]))));
    expect(new Set(needing)).toEqual(new Set(['conv/winograd_gemm_subgroup_tiles', 'conv/winograd_gemm_subgroup_channels', 'gram_forward/v5_subgroups', 'gram_backward/v3_subgroups']));
    for (const k of needing) expect(() => lib.kernel(k)).toThrow(new RegExp(`^kernel "${k}" needs the WebGPU "subgroups" feature`));
    expect(compiled).toBe(0);
  });
  it('every version of every op has a check in the kernel explorer for each of its kernels', () => {
    const missing = OP_KINDS.flatMap((kind) => REGISTRY[kind].flatMap((v) => v.kernels.filter((k) => !CHECKS[k]).map((k) => `${kind} ${v.id}: ${k}`)));
    expect(missing).toEqual([]);
  });
  it('every conv version runs on some shape of the conv tests, in both directions (gram and reduce tests iterate the registry)', () => {
    for (const kind of ['conv_forward', 'conv_backward_input'] as const) {
      const covered = new Set(
        CONV_TEST_SHAPES.flatMap(([C, H, W, O, K]) => eligibleVersions(kind, kind === 'conv_forward' ? { R: C, N: O, K, H, W } : { R: O, N: C, K, H, W }).map((v) => v.id)),
      );
      expect([...covered].sort(), kind).toEqual(REGISTRY[kind].map((v) => v.id).sort());
    }
  });
});

describe('stored tables', () => {
  const here: AdapterIdentity = { vendor: 'nvidia', architecture: 'hopper', device: '', description: 'H100', limits: { maxComputeWorkgroupStorageSize: 49152, maxComputeInvocationsPerWorkgroup: 1024, maxStorageBufferBindingSize: 2 ** 31 } };
  const entry = { version: 'v3_rows', splits: 1, ms: { v3_rows: 1, v1_direct: 2 } };
  const valid = { ...emptyTable(here), entries: { 'conv_forward R3 N64 K3 H64 W64': entry } };
  it('reads a table made here', () => {
    const r = parseTable(JSON.stringify(valid), here, 'test');
    expect(r.problem).toBeNull();
    expect(r.table.entries).toEqual(valid.entries);
  });
  it('ignores a damaged table, one from another adapter, other kernel versions, and drops unknown versions — each with a message', () => {
    expect(parseTable('{"format": "webgpu-neural', here, 'the file').problem).toMatch(/the autotune table in the file is damaged .*ignored and will be rebuilt/);
    expect(parseTable('[1, 2]', here, 'the file').problem).toMatch(/does not hold an autotune table/);
    const elsewhere = parseTable(JSON.stringify({ ...valid, adapter: { ...here, vendor: 'amd', architecture: 'rdna3', description: 'RX 7900' } }), here, 'the file');
    expect(elsewhere.problem).toMatch(/made on another adapter \(amd \/ rdna3 \/ RX 7900\), not this one \(nvidia \/ hopper \/ H100\)/);
    expect(elsewhere.table.entries).toEqual({});
    expect(parseTable(JSON.stringify({ ...valid, engine: 'deadbeef' }), here, 'the file').problem).toMatch(/measured with other kernel versions/);
    const unknown = parseTable(JSON.stringify({ ...valid, entries: { ...valid.entries, 'conv_forward R1 N1 K3 H8 W8': { ...entry, version: 'v9_magic' } } }), here, 'the file');
    expect(unknown.problem).toMatch(/1 entries .* unknown kernel versions/);
    expect(Object.keys(unknown.table.entries)).toEqual(['conv_forward R3 N64 K3 H64 W64']);
  });
  it('are keyed by a file-name-safe adapter key that changes with the adapter', () => {
    expect(adapterKey(here)).toMatch(/^nvidia-hopper-[0-9a-f]{8}$/);
    expect(adapterKey({ ...here, description: 'H200' })).not.toBe(adapterKey(here));
  });
});

describe('autotuning on the device (fake timer)', () => {
  let s: BrowserSession;
  const call = <K extends keyof AutotuneTestApi>(k: K, ...args: Parameters<AutotuneTestApi[K]>) =>
    s.page.evaluate((name, a) => (globalThis as unknown as { autotune: Record<string, (...x: unknown[]) => unknown> }).autotune[name](...a), k, args) as ReturnType<AutotuneTestApi[K]>;
  beforeAll(async () => {
    s = await launchGpuPage({ script: await bundleForBrowser(fileURLToPath(new URL('./harness/autotune_entry.ts', import.meta.url))) });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('picks the fastest version of an op, whichever it is', async () => {
    const shape = { R: 16, N: 16, K: 3, H: 12, W: 12 };
    const fixed = new Set<string>();
    for (const fastest of ['v3_rows', 'v5_winograd', 'v1_direct', 'v4_rows_vec4', 'v2_flat16', 'v6_winograd4']) {
      const r = await call('tuneOne', 'conv_forward', shape, { [fastest]: 1 });
      expect(r.version, fastest).toBe(fastest);
      fixed.add(r.fixed);
      expect(r.calls).toBe(tuningCandidates('conv_forward', shape).length);
      expect(r.leaked, fastest).toEqual({ buffers: 0, uniforms: 0 });
    }
    // the library's own planner kept the fixed table's choice whatever was tuned
    expect(fixed.size).toBe(1);
    expect((await call('tuneOne', 'gram_backward', { C: 8, M: 100 }, { v0_narrow: 1, v1_wide: 2 })).version).toBe('v0_narrow');
    // every op kind's runs free what they made
    for (const [kind, shape] of [['gram_forward', { C: 40, M: 9000 }], ['reduce', { n: 5000 }], ['strided_conv_forward', { C: 3, O: 9, K: 3, stride: 2, pad: 0, H: 13, W: 11 }], ['strided_conv_backward_input', { C: 3, O: 9, K: 3, stride: 2, pad: 1, H: 13, W: 11 }], ['conv_backward_input', { R: 16, N: 3, K: 3, H: 12, W: 12 }]] as const) {
      const r = await call('tuneOne', kind, shape, {});
      expect(r.calls, kind).toBe(tuningCandidates(kind, shape as never).length);
      expect(r.leaked, kind).toEqual({ buffers: 0, uniforms: 0 });
    }
  });

  it('times each shape of a graph once, keeps the table, and the next run reuses it without timing', async () => {
    const first = await call('build', { mode: 'on', ms: { v1_direct: 1, v0_blocks: 1, v0_narrow: 1, v0_tree: 1 }, size: 24, table: null, thenOff: true });
    expect(first.calls).toBeGreaterThan(10);
    expect(first.report.tuned).toBeGreaterThan(5);
    expect(first.stored).not.toBeNull();
    // the fake timer made version 1 fastest: the tuned graph runs it, not the fixed table's Winograd
    expect(first.kernels).toContain('conv/v1_direct_forward');
    expect(first.kernels).not.toContain('conv/winograd_gemm');
    // any tuned choice is correct: the same losses and gradient as the untuned graph
    expect(Math.abs(first.lossTuned - first.lossPlain) / first.lossPlain).toBeLessThan(1e-4);
    expect(first.gradRelDiff).toBeLessThan(1e-4);
    // the tuned choices reached the graph through its planner; the library's own is untouched
    expect(first.untouched).toBe(true);
    // switched "off" afterwards, the tuner's choices still hold (as when they were kept on the library)
    expect(first.offKernels).toContain('conv/v1_direct_forward');
    // a second tuner on the same stored table reuses them without timing, and leaves the library's planner untouched
    const second = await call('build', { mode: 'on', ms: { v5_winograd: 1 }, size: 24 });
    expect(second.untouched).toBe(true);
    expect(second.calls).toBe(0);
    expect(second.report).toMatchObject({ tuned: 0 });
    expect(second.report.reused).toBe(first.report.tuned);
    expect(second.kernels).toContain('conv/v1_direct_forward'); // the stored choice, not this run's timer
    expect(second.messages).toEqual([]);
  });

  it('"refresh" measures again; "auto" and "off" do not time on a software adapter', async () => {
    // timed on its first build, the rebuild runs the fastest (whichever the timer says)
    for (const [ms, kernel] of [[{ v5_winograd: 1 }, 'conv/winograd_gemm'], [{ v1_direct: 1 }, 'conv/v1_direct_forward']] as const) {
      const refresh = await call('build', { mode: 'refresh', ms, size: 24 });
      expect(refresh.calls).toBeGreaterThan(10);
      expect(refresh.kernels, JSON.stringify(ms)).toContain(kernel);
      expect(refresh.untouched).toBe(true);
    }
    for (const mode of ['auto', 'off'] as const) {
      const r = await call('build', { mode, ms: {}, size: 24, table: '{damaged' });
      expect(r.calls, mode).toBe(0);
      expect(r.messages, mode).toEqual([]); // not even read
      expect(r.stored, mode).toBe('{damaged');
    }
  });

  it('ignores a damaged or foreign table with a message, tunes, and replaces it', async () => {
    const damaged = await call('build', { mode: 'on', ms: {}, size: 24, table: '{"format": "webgpu-neural-style autotune table", "entries": ' });
    expect(damaged.messages.join('\n')).toMatch(/damaged .*ignored and will be rebuilt/);
    expect(damaged.calls).toBeGreaterThan(10);
    expect(JSON.parse(damaged.stored!).entries).toBeTypeOf('object');
    const table = JSON.parse(damaged.stored!);
    const foreign = await call('build', { mode: 'on', ms: {}, size: 24, table: JSON.stringify({ ...table, adapter: { ...table.adapter, description: 'another GPU' } }) });
    expect(foreign.messages.join('\n')).toMatch(/made on another adapter/);
    expect(foreign.calls).toBeGreaterThan(10);
    expect(JSON.parse(foreign.stored!).adapter.description).not.toBe('another GPU');
  });
});

/**
 * The stored autotuning table: whose it is (the adapter's identity and the engine's fingerprint, so a
 * table from another GPU or another engine build is never used), its text format, and where it is
 * kept (TuningStore; the stores themselves: tuning_stores.ts).
 */
import type { GpuContext } from './context.js';
import { REGISTRY, type Choice, type OpKind } from './registry.js';
import { SHADERS } from './shaders.js';

export type { AutotuneMode } from './autotune_modes.js';

/** Where a tuning table is kept (one text per adapter key). */
export interface TuningStore {
  load(key: string): Promise<string | null>;
  save(key: string, text: string): Promise<void>;
  /** Where, in words (for messages). */
  where: string;
}

/** What identifies an adapter for a tuning table: a table made on another GPU is not used. */
export interface AdapterIdentity {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  limits: { maxComputeWorkgroupStorageSize: number; maxComputeInvocationsPerWorkgroup: number; maxStorageBufferBindingSize: number };
}

export function adapterIdentity(ctx: GpuContext): AdapterIdentity {
  const { vendor, architecture, device, description } = ctx.info;
  const l = ctx.limits;
  return {
    vendor, architecture, device, description,
    limits: { maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize, maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup, maxStorageBufferBindingSize: l.maxStorageBufferBindingSize },
  };
}

/** FNV-1a, 32 bits, as 8 hex digits (names and fingerprints, not security). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** A file-name-safe key for an adapter: readable vendor/architecture plus a hash of the whole identity. */
export function adapterKey(id: AdapterIdentity): string {
  const words = [id.vendor, id.architecture].filter(Boolean).join('-').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'adapter';
  return `${words.slice(0, 40)}-${fnv1a(JSON.stringify(id))}`;
}

/** Changes whenever a tuned version's kernel source or the registry changes: old timings are then stale. */
export function engineFingerprint(): string {
  const parts: string[] = [];
  for (const kind of Object.keys(REGISTRY) as OpKind[]) {
    for (const v of REGISTRY[kind]) parts.push(`${kind}/${v.id}/${v.number}:${v.kernels.map((k) => SHADERS[k]).join('\n')}`);
  }
  return fnv1a(parts.join('\n\n'));
}

export const TABLE_FORMAT = 'webgpu-neural-style autotune table';

export interface TunedEntry extends Choice {
  /** Milliseconds per run of each candidate ("version" or "version/splits"). */
  ms: Record<string, number>;
}

export interface TuningTable {
  format: typeof TABLE_FORMAT;
  version: 1;
  engine: string;
  adapter: AdapterIdentity;
  entries: Record<string, TunedEntry>;
}

export function emptyTable(adapter: AdapterIdentity): TuningTable {
  return { format: TABLE_FORMAT, version: 1, engine: engineFingerprint(), adapter, entries: {} };
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Read a stored table for this adapter. A damaged table, one made on another GPU or by other
 * kernel versions, is not used: `problem` says why (the caller reports it) and a fresh table is
 * returned. Entries naming versions this engine does not have are dropped.
 */
export function parseTable(text: string, adapter: AdapterIdentity, where: string): { table: TuningTable; problem: string | null } {
  const fresh = emptyTable(adapter);
  let t: TuningTable;
  try {
    t = JSON.parse(text) as TuningTable;
  } catch (e) {
    return { table: fresh, problem: `the autotune table in ${where} is damaged (${(e as Error).message}); it is ignored and will be rebuilt` };
  }
  if (!t || typeof t !== 'object' || t.format !== TABLE_FORMAT || t.version !== 1 || typeof t.entries !== 'object' || t.entries === null) {
    return { table: fresh, problem: `${where} does not hold an autotune table this engine can read; it is ignored and will be rebuilt` };
  }
  if (!sameJson(t.adapter, adapter)) {
    const name = (a: AdapterIdentity | undefined) => [a?.vendor, a?.architecture, a?.description].filter(Boolean).join(' / ') || 'unknown';
    return { table: fresh, problem: `the autotune table in ${where} was made on another adapter (${name(t.adapter)}), not this one (${name(adapter)}); it is ignored` };
  }
  if (t.engine !== fresh.engine) return { table: fresh, problem: `the autotune table in ${where} was measured with other kernel versions; it is ignored and will be rebuilt` };
  const entries: Record<string, TunedEntry> = {};
  let dropped = 0;
  for (const [key, e] of Object.entries(t.entries)) {
    const kind = key.split(' ')[0] as OpKind;
    const known = REGISTRY[kind]?.some((v) => v.id === e?.version);
    if (known && Number.isInteger(e.splits) && e.splits >= 1) entries[key] = e;
    else dropped++;
  }
  return { table: { ...t, entries }, problem: dropped ? `${dropped} entries of the autotune table in ${where} name unknown kernel versions and were dropped` : null };
}

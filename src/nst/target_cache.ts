/**
 * Style targets kept between runs of a session (src/api/stylizer.ts): the blended style Grams
 * A_l depend only on the style images as sized for a run, their blend weights, the network's
 * weights, the style layers, the pooling and how they were computed (tiled or not) — not on the
 * content — so the frames of a video, or a gallery of photos in one style, compute them once per
 * size. Entries are copies the cache owns (runs get copies of their own, as freshly computed
 * targets are theirs); the least recently used go beyond `capacity`. Not used where the targets
 * depend on the content ('histogram' colour matching).
 */
import { axpby } from '../kernels/elementwise/elementwise.js';
import type { KernelLibrary } from '../kernels/library.js';
import { runOnce } from '../kernels/run_once.js';
import { numel, type Tensor } from '../kernels/tensor.js';
import type { NetworkWeights } from '../model/weights.js';
import type { StyleTransferOptions } from './options.js';
import type { StyleImage } from './style_transfer.js';

const weightIds = new WeakMap<NetworkWeights, number>();
let nextWeightId = 1;

/** Two 32-bit FNV-1a hashes (different offsets) of the bytes, as hex. */
function hashBytes(d: ArrayLike<number>): string {
  let a = 0x811c9dc5, b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < d.length; i++) {
    a = Math.imul(a ^ d[i], 0x01000193);
    b = Math.imul(b ^ d[i], 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16) + (b >>> 0).toString(16);
}

/** What the style targets of a run depend on, as one string. */
export function styleTargetKey(weights: NetworkWeights, o: StyleTransferOptions, styles: StyleImage[], tile: number | undefined, perStyle: boolean): string {
  if (!weightIds.has(weights)) weightIds.set(weights, nextWeightId++);
  const images = styles.map((s) => `${s.width}x${s.height}:${s.blend ?? 1}:${hashBytes(s.data)}`);
  return JSON.stringify([weightIds.get(weights), o.network, o.pooling, o.styleLayers.map((l) => l.name), tile ?? 0, perStyle, images]);
}

export class StyleTargetCache {
  private entries = new Map<string, Map<string, Tensor>>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly lib: KernelLibrary,
    readonly capacity = 4,
  ) {}

  private copy(from: Map<string, Tensor>, label: string): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    const copies = [];
    for (const [name, t] of from) {
      const c = this.lib.tensor(t.shape, `${label}:${name}`);
      copies.push(axpby(this.lib, 1, t, 0, c));
      out.set(name, c);
    }
    runOnce(this.lib, copies);
    return out;
  }

  /** Copies of the targets kept under `key` (the caller owns them), or null. */
  get(key: string): Map<string, Tensor> | null {
    const e = this.entries.get(key);
    if (!e) {
      this.misses++;
      return null;
    }
    this.hits++;
    this.entries.delete(key);
    this.entries.set(key, e); // most recently used last
    return this.copy(e, 'style_target');
  }

  /** Keep copies of `targets` under `key` (the caller keeps its own). */
  put(key: string, targets: Map<string, Tensor>): void {
    if (this.entries.has(key)) return;
    this.entries.set(key, this.copy(targets, 'cached_style_target'));
    while (this.entries.size > this.capacity) {
      const [oldest, e] = this.entries.entries().next().value!;
      this.entries.delete(oldest);
      this.free(e);
    }
  }

  /** GPU bytes the cache holds. */
  get bytes(): number {
    let n = 0;
    for (const e of this.entries.values()) for (const t of e.values()) n += numel(t.shape) * 4;
    return n;
  }

  private free(e: Map<string, Tensor>): void {
    for (const t of e.values()) this.lib.discard(t);
  }

  /** Free every entry. */
  clear(): void {
    for (const e of this.entries.values()) this.free(e);
    this.entries.clear();
  }
}

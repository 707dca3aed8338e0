/**
 * Pretrained network weights (VGG19, SqueezeNet 1.1) from a file, reading only the bytes of the
 * conv tensors a run needs. Three layouts, told apart by their first bytes:
 *   - safetensors (Hugging Face, timm/vgg19.tv_in1k): 8-byte length + JSON header, then the data;
 *     tensors are sorted by name, so conv1..conv5_1 come in two runs (features.0–28, features.5–7).
 *   - legacy torch.save (torchvision's vgg19-dcbb9e9d.pth of 2017): five pickles at the start
 *     (magic, protocol, sys info, the state dict, the storage keys), then every storage as an
 *     int64 element count and its bytes, in the order of the keys (sorted as strings).
 *   - zip torch.save (torch ≥ 1.6): central directory at the end, PREFIX/data.pkl, PREFIX/data/KEY.
 * planPretrained reads the header (one or two small requests, the zip's tail for a zip) and lists
 * where each needed tensor lies; fetchPieces merges neighbouring pieces into a few ranged reads.
 * On a source that can only be read front to back (a server ignoring Range) the same plan is
 * read in file order from the one response; a zip is then scanned entry by entry.
 */
import { concat, type ByteSource } from './byte_source.js';
import { decodeFloats, looksLikeSafetensors, parseSafetensorsHeader, safetensorsHeaderLength } from './safetensors.js';
import { checkTorchArchive, stateDictOf, legacyStorageBytes, readLegacyHeader } from './torch_pth.js';
import { ITEM_SIZE, tensorFromStorage, unpickleAt, type TorchStorage, type TorchTensor } from './pickle.js';
import { planTensors } from './torch_names.js';
import { readZipDirectory, ZipDirectoryNotInTail, zipEntryData, type ZipEntry } from './zip.js';
import { assembleLayers, checkFinite, WeightsError, type NetworkWeights } from '../model/weights.js';
import { networkSpec, type NetworkId, type NetworkSpec } from '../model/networks.js';
import type { InputConvention } from '../kernels/image/image.js';

export type WeightsFileFormat = 'safetensors' | 'torch-legacy' | 'torch-zip';

/** One needed tensor: bytes [start, end) of the file, and how to turn them into values. */
export interface TensorPiece {
  /** Our name, e.g. conv1_1.weight, fire2/squeeze.weight. */
  name: string;
  start: number;
  end: number;
  decode(bytes: Uint8Array): Float32Array;
}

export interface WeightsPlan {
  format: WeightsFileFormat;
  input: InputConvention;
  pieces: TensorPiece[];
  /** Bytes read to make the plan (the first 64 kB, headers, directory, storage counts checked). */
  headerBytes: number;
}

const HEAD = 64 * 1024;
/** Pieces closer than this are fetched in one request (the gap is downloaded and dropped). */
export const MERGE_GAP = 256 * 1024;

/**
 * Where the network's conv tensors up to layer `upTo` (a layer name of that network: conv5_1,
 * fire9) lie in the file; for a zip on a source that must be read front to back, the tensors
 * themselves (scanned). A file of the other network is refused, naming it (WrongNetworkError).
 */
export async function planPretrained(
  src: ByteSource,
  upTo: string,
  network: NetworkId = 'vgg19',
): Promise<{ plan: WeightsPlan } | { scan: Map<string, Float32Array>; input: InputConvention; format: WeightsFileFormat }> {
  const spec = networkSpec(network);
  const head = await src.read(0, HEAD);
  const file = src.name;
  if (head.length === 0) throw new WeightsError(file, 'empty file');
  // each format by its own structure, safetensors first: its header length's low byte may be 0x80
  // or spell "PK", the zip and pickle magics
  if (looksLikeSafetensors(head, src.size)) return { plan: await planSafetensors(src, head, file, spec, upTo) };
  if (head[0] === 0x50 && head[1] === 0x4b) {
    if (src.sequentialOnly) return { ...(await scanZip(new Cursor(src, head), file, spec, upTo)), format: 'torch-zip' };
    return { plan: await planZip(src, head.length, file, spec, upTo) };
  }
  if (head[0] === 0x80) return { plan: await planLegacy(src, head, file, spec, upTo) };
  if (head.length >= 9 && head[8] === 0x7b /* { */) return { plan: await planSafetensors(src, head, file, spec, upTo) }; // for its message
  const text = new TextDecoder().decode(head.subarray(0, 200));
  if (/^\s*</.test(text)) throw new WeightsError(file, `is an HTML or XML page, not a weights file (starts "${text.slice(0, 40).replace(/\s+/g, ' ')}…")`);
  throw new WeightsError(file, 'is neither a safetensors file nor a torch.save file (zip or legacy)');
}

async function planSafetensors(src: ByteSource, head: Uint8Array, file: string, spec: NetworkSpec, upTo: string): Promise<WeightsPlan> {
  const n = safetensorsHeaderLength(head, file, src.size);
  let json = head.subarray(8, 8 + n);
  if (json.length < n) json = concat([json, await src.read(head.length, 8 + n)]);
  if (json.length < n) throw new WeightsError(file, `truncated header: ${json.length} of ${n} bytes`);
  const entries = parseSafetensorsHeader(json, file, src.size);
  const byName = new Map(entries.map((e) => [e.name, e]));
  const { keys, input } = planTensors(byName, file, spec, upTo);
  const pieces = [...keys].map(([name, key]) => {
    const e = byName.get(key)!;
    return { name, start: e.start, end: e.end, decode: (b: Uint8Array) => decodeFloats(b, e.dtype, file, key) };
  });
  return { format: 'safetensors', input, pieces, headerBytes: Math.max(head.length, 8 + n) };
}

/** Read forward from `head` until `parse` stops throwing "truncated" (doubling, up to 64 MB). */
async function growUntilParsed<T>(src: ByteSource, head: Uint8Array, file: string, parse: (b: Uint8Array) => T): Promise<{ value: T; bytes: Uint8Array }> {
  let bytes = head;
  for (;;) {
    try {
      return { value: parse(bytes), bytes };
    } catch (e) {
      const atEnd = bytes.length < HEAD || (src.size !== null && bytes.length >= src.size);
      if (!(e instanceof WeightsError) || !/truncated/.test(e.message) || atEnd || bytes.length >= 64 << 20) throw e;
      const more = await src.read(bytes.length, bytes.length * 2);
      if (more.length === 0) throw e;
      bytes = concat([bytes, more]);
    }
  }
}

async function planLegacy(src: ByteSource, head: Uint8Array, file: string, spec: NetworkSpec, upTo: string): Promise<WeightsPlan> {
  const { value: h, bytes } = await growUntilParsed(src, head, file, (b) => readLegacyHeader(b, file));
  if (src.size !== null && h.end > src.size) throw new WeightsError(file, `truncated: the storages need ${h.end} bytes, the file has ${src.size}`);
  const sd = stateDictOf(h.root, file);
  const { keys, input } = planTensors(sd, file, spec, upTo);
  const pieces = [...keys].map(([name, key]) => {
    const t = sd.get(key)!;
    const at = h.spans.get(t.storage.key);
    if (!at) throw new WeightsError(file, `tensor "${key}": storage ${t.storage.key} is missing from the file`);
    const decode = (b: Uint8Array) => tensorFromStorage(file, key, t, legacyStorageBytes(b, t.storage.key, t.storage.numel, file));
    return { name, start: at.start, end: at.end, decode };
  });
  // PyTorch reads every storage's element count and refuses a wrong one. Where reads are free, the
  // counts of storages no piece reads are checked too (8 bytes each); over a network each would cost
  // a request, and those storages' bytes are never used, so there they are left unread.
  let countBytes = 0;
  if (src.local) {
    const read = new Set([...keys.values()].map((key) => sd.get(key)!.storage.key));
    for (const [key, at] of h.spans) {
      if (read.has(key)) continue;
      const count = await src.read(at.start, at.start + 8);
      countBytes += count.length;
      if (count.length < 8) throw new WeightsError(file, `truncated: storage ${key} starts past the end of the file`);
      legacyStorageBytes(count, key, at.storage.numel, file);
    }
  }
  return { format: 'torch-legacy', input, pieces, headerBytes: bytes.length + countBytes };
}

async function planZip(src: ByteSource, headRead: number, file: string, spec: NetworkSpec, upTo: string): Promise<WeightsPlan> {
  let tail = await src.readTail(HEAD + 22);
  let entries: ZipEntry[];
  try {
    entries = readZipDirectory(tail.bytes, file, tail.start);
  } catch (e) {
    if (!(e instanceof ZipDirectoryNotInTail)) throw e;
    tail = { bytes: concat([await src.read(e.offset, tail.start), tail.bytes]), start: e.offset };
    entries = readZipDirectory(tail.bytes, file, tail.start);
  }
  const fileEnd = tail.start + tail.bytes.length;
  const sorted = [...entries].sort((a, b) => a.localOffset - b.localOffset);
  /** An entry's local header, padding, data and data descriptor: up to the next entry. */
  const span = (e: ZipEntry) => {
    const next = sorted.find((x) => x.localOffset > e.localOffset);
    return { start: e.localOffset, end: Math.min(fileEnd, next ? next.localOffset : e.localOffset + 30 + 2 * e.name.length + 65536 + e.size + 24) };
  };
  const pkl = entries.find((n) => n.name.endsWith('/data.pkl') || n.name === 'data.pkl');
  if (!pkl) throw new WeightsError(file, 'zip archive without data.pkl: not a torch.save file');
  const prefix = pkl.name.slice(0, pkl.name.length - 'data.pkl'.length);
  const pklSpan = span(pkl);
  const pklBytes = await src.read(pklSpan.start, pklSpan.end);
  const sd = stateDictOf(unpickleAt(zipEntryData(pklBytes, pkl, file, pklSpan.start), 0, file).value, file);
  const byName = new Map(entries.map((e) => [e.name, e]));
  checkTorchArchive(byName, prefix, sd, file);
  const { keys, input } = planTensors(sd, file, spec, upTo);
  const pieces = [...keys].map(([name, key]) => {
    const t = sd.get(key)!;
    const e = byName.get(`${prefix}data/${t.storage.key}`)!;
    const s = span(e);
    return { name, ...s, decode: (b: Uint8Array) => tensorFromStorage(file, key, t, zipEntryData(b, e, file, s.start)) };
  });
  return { format: 'torch-zip', input, pieces, headerBytes: headRead + tail.bytes.length + pklBytes.length };
}

/** Ranges to request: the pieces in file order, neighbours closer than `gap` merged. */
export function mergePieces(pieces: TensorPiece[], gap = MERGE_GAP): { start: number; end: number; pieces: TensorPiece[] }[] {
  const out: { start: number; end: number; pieces: TensorPiece[] }[] = [];
  for (const p of [...pieces].sort((a, b) => a.start - b.start)) {
    const last = out[out.length - 1];
    if (last && p.start - last.end <= gap) {
      last.end = Math.max(last.end, p.end);
      last.pieces.push(p);
    } else out.push({ start: p.start, end: p.end, pieces: [p] });
  }
  return out;
}

/** What fetching `pieces` costs: bytes to receive and requests (one streamed response when Range is ignored). */
export function fetchCost(src: ByteSource, pieces: TensorPiece[]): { bytes: number; requests: number; sequential: boolean } {
  const ranges = mergePieces(pieces);
  const sequential = src.sequentialOnly;
  const bytes = sequential ? (ranges[ranges.length - 1]?.end ?? 0) : ranges.reduce((a, x) => a + x.end - x.start, 0);
  return { bytes, requests: sequential ? 0 : ranges.length, sequential };
}

/** Fetch the pieces (merged), decode and check each tensor; our name → values. */
export async function fetchPieces(src: ByteSource, pieces: TensorPiece[], gap = MERGE_GAP): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const range of mergePieces(pieces, gap)) {
    const bytes = await src.read(range.start, range.end);
    for (const p of range.pieces) {
      const b = bytes.subarray(p.start - range.start, p.end - range.start);
      if (b.length !== p.end - p.start) throw new WeightsError(src.name, `truncated: tensor ${p.name} needs bytes up to ${p.end}, the file ends at ${range.start + bytes.length}`);
      const values = p.decode(b);
      checkFinite(src.name, p.name, values);
      out.set(p.name, values);
    }
  }
  return out;
}

/** Plan, fetch and assemble: the network's layers up to `upTo` (a layer name of it) from a pretrained weights file. */
export async function loadPretrained(
  src: ByteSource,
  upTo: string,
  onPlan?: (plan: { format: WeightsFileFormat; bytes: number; requests: number }) => void,
  network: NetworkId = 'vgg19',
): Promise<NetworkWeights & { format: WeightsFileFormat }> {
  const spec = networkSpec(network);
  const r = await planPretrained(src, upTo, spec.id);
  if ('scan' in r) return { network: spec.id, source: src.name, input: r.input, layers: assembleLayers(src.name, r.scan, spec), format: r.format };
  onPlan?.({ format: r.plan.format, ...fetchCost(src, r.plan.pieces) });
  const values = await fetchPieces(src, r.plan.pieces);
  return { network: spec.id, source: src.name, input: r.plan.input, layers: assembleLayers(src.name, values, spec), format: r.plan.format };
}

// ---------------------------------------------------------------- zip, front to back

/** Forward-only reading with a small buffer, for scanning a source that cannot seek. */
class Cursor {
  pos = 0;
  private bufStart = 0;
  constructor(private src: ByteSource, private buf: Uint8Array) {}

  /** The bytes [pos, pos+n) (fewer at the end of the file), reading forward as needed. */
  async ensure(n: number): Promise<Uint8Array> {
    const bufEnd = this.bufStart + this.buf.length;
    if (this.pos >= this.bufStart && this.pos + n <= bufEnd) return this.buf.subarray(this.pos - this.bufStart, this.pos - this.bufStart + n);
    if (this.pos >= bufEnd) {
      this.buf = await this.src.read(this.pos, this.pos + n);
      this.bufStart = this.pos;
    } else {
      const keep = this.buf.subarray(this.pos - this.bufStart);
      this.buf = concat([keep, await this.src.read(bufEnd, this.pos + n)]);
      this.bufStart = this.pos;
    }
    return this.buf.subarray(0, Math.min(n, this.buf.length));
  }

  async take(n: number, what: string, file: string): Promise<Uint8Array> {
    const b = await this.ensure(n);
    if (b.length < n) throw new WeightsError(file, `truncated: ${what} needs ${n} bytes at ${this.pos}, the file ends at ${this.pos + b.length}`);
    this.pos += n;
    return b;
  }
}

/**
 * A torch zip read in one pass: local headers in order (torch writes sizes only in the data
 * descriptors, so data.pkl's size comes from where its pickle stops and each storage's from
 * the pickle's element counts), keeping only the needed storages.
 */
async function scanZip(cur: Cursor, file: string, spec: NetworkSpec, upTo: string): Promise<{ scan: Map<string, Float32Array>; input: InputConvention }> {
  let needed: Map<string, { key: string; name: string; t: TorchTensor }[]> | null = null;
  const storages = new Map<string, TorchStorage>(); // every storage's entry name → its element count and dtype
  let input: InputConvention | null = null;
  const out = new Map<string, Float32Array>();
  while (!needed || needed.size > 0) {
    const h = await cur.take(30, 'a zip local header', file);
    const dv = new DataView(h.buffer, h.byteOffset, 30);
    const sig = dv.getUint32(0, true);
    if (sig === 0x02014b50) break; // the central directory: no more entries
    if (sig !== 0x04034b50) throw new WeightsError(file, `corrupt zip: no local header at byte ${cur.pos - 30}`);
    const flags = dv.getUint16(6, true), method = dv.getUint16(8, true);
    const name = new TextDecoder().decode(await cur.take(dv.getUint16(26, true), 'a zip entry name', file));
    await cur.take(dv.getUint16(28, true), 'a zip extra field', file);
    if (method !== 0) throw new WeightsError(file, `${name} is compressed (method ${method}); torch.save writes stored entries`);
    let size = flags & 8 ? -1 : dv.getUint32(18, true);
    if (name.endsWith('data.pkl')) {
      const start = cur.pos;
      let n = HEAD;
      let value: unknown;
      for (;;) {
        const b = await cur.ensure(n);
        try {
          const r = unpickleAt(b, 0, file);
          value = r.value;
          size = r.end;
          break;
        } catch (e) {
          if (!(e instanceof WeightsError) || b.length < n || n >= 64 << 20) throw e;
          n *= 2;
        }
      }
      cur.pos = start + size;
      const sd = stateDictOf(value, file);
      const plan = planTensors(sd, file, spec, upTo);
      input = plan.input;
      const prefix = name.slice(0, name.length - 'data.pkl'.length);
      for (const t of sd.values()) storages.set(`${prefix}data/${t.storage.key}`, t.storage);
      needed = new Map();
      for (const [ours, key] of plan.keys) {
        const t = sd.get(key)!;
        const entry = `${prefix}data/${t.storage.key}`;
        needed.set(entry, [...(needed.get(entry) ?? []), { key, name: ours, t }]);
      }
    } else {
      const users = needed?.get(name);
      const storage = storages.get(name);
      if (size < 0 && storage) size = storage.numel * (ITEM_SIZE[storage.dtype] ?? 1);
      if (size < 0) throw new WeightsError(file, `cannot read ${name} front to back (its size is only in the directory at the end); use a server that supports Range requests`);
      if (users) {
        const raw = await cur.take(size, name, file);
        for (const u of users) {
          const values = tensorFromStorage(file, u.key, u.t, raw);
          checkFinite(file, u.key, values);
          out.set(u.name, values);
        }
        needed!.delete(name);
      } else cur.pos += size;
    }
    if (flags & 8) {
      const d = await cur.take(4, 'a data descriptor', file);
      cur.pos += new DataView(d.buffer, d.byteOffset, 4).getUint32(0, true) === 0x08074b50 ? 12 : 8;
    }
  }
  if (!input || !needed) throw new WeightsError(file, 'zip archive without data.pkl: not a torch.save file');
  if (needed.size) throw new WeightsError(file, `truncated or incomplete: ${[...needed.keys()].join(', ')} not found`);
  return { scan: out, input };
}

/**
 * Reading PyTorch `torch.save` files without Python — the zip format of torch ≥ 1.6 and the
 * legacy format before it — from the zip reader (zip.ts) and the pickle machine (pickle.ts).
 *
 * A .pth zip holds PREFIX/data.pkl (the pickled state dict; tensors appear as
 * torch._utils._rebuild_tensor_v2(storage, offset, size, stride, …) with the storage given as a
 * persistent id ('storage', torch.FloatStorage, key, location, numel)) and PREFIX/data/KEY (the
 * raw little-endian storage bytes).
 */
/**
 * Reading PyTorch `torch.save` files without Python — the zip format of torch ≥ 1.6 and the
 * legacy format before it — with a small zip reader, a pickle virtual machine for the opcodes
 * torch emits, and tensor reconstruction from the storages. Then the converter from state dicts
 * of our networks (VGG19: torchvision's, timm's or Gatys' vgg_conv.pth; SqueezeNet 1.1:
 * torchvision's squeezenet1_1) to our NetworkWeights.
 *
 * A .pth zip holds PREFIX/data.pkl (the pickled state dict; tensors appear as
 * torch._utils._rebuild_tensor_v2(storage, offset, size, stride, …) with the storage given as a
 * persistent id ('storage', torch.FloatStorage, key, location, numel)) and PREFIX/data/KEY (the
 * raw little-endian storage bytes).
 */
import { WeightsError } from '../model/weights.js';
import { type ZipEntry, readZipDirectory, zipEntryData } from './zip.js';
import { type TorchStorage, type TorchTensor, describe, unpickle, unpickleAt, ITEM_SIZE, tensorFromStorage } from './pickle.js';

// ---------------------------------------------------------------- zip

/** The tensors of an unpickled state dict (a plain dict/OrderedDict at the root, or under "state_dict"). */
export function stateDictOf(root: unknown, file: string): Map<string, TorchTensor> {
  let r = root;
  if (r instanceof Map && r.has('state_dict') && r.get('state_dict') instanceof Map) r = r.get('state_dict');
  if (!(r instanceof Map)) throw new WeightsError(file, 'the pickled object is not a state dict');
  const out = new Map<string, TorchTensor>();
  for (const [k, v] of r) if ((v as TorchTensor)?.kind === 'tensor') out.set(String(k), v as TorchTensor);
  return out;
}

/** A loaded torch.save file: its state dict (name → tensor) and its storages' raw bytes. */
export abstract class TorchFile {
  abstract readonly root: unknown;
  constructor(readonly file: string) {}

  /** The raw little-endian bytes of a storage, or null if the file lacks it. */
  protected abstract storageBytes(key: string): Uint8Array | null;

  /** The state dict's tensors (a plain dict/OrderedDict at the root, or under "state_dict"). */
  stateDict(): Map<string, TorchTensor> {
    return stateDictOf(this.root, this.file);
  }

  /** A tensor's values as float32 in row-major order (gathering by strides if needed). */
  float32(name: string, t: TorchTensor): Float32Array {
    const raw = this.storageBytes(t.storage.key);
    if (!raw) throw new WeightsError(this.file, `tensor "${name}": storage ${t.storage.key} is missing from the file (truncated?)`);
    return tensorFromStorage(this.file, name, t, raw);
  }
}

/** The zip format of torch ≥ 1.6: PREFIX/data.pkl and one PREFIX/data/KEY entry per storage. */
/**
 * What PyTorch requires of a torch.save archive beyond its pickle: the "version" record, and every
 * storage a tensor refers to present with exactly its bytes — checked for all tensors, not only
 * those a run reads, so that a file is valid here exactly when it is valid there.
 */
export function checkTorchArchive(entries: Map<string, ZipEntry>, prefix: string, sd: Map<string, TorchTensor>, file: string): void {
  if (!entries.has(`${prefix}version`)) throw new WeightsError(file, `the archive has no "${prefix}version" record: not a torch.save file`);
  for (const [name, t] of sd) {
    const e = entries.get(`${prefix}data/${t.storage.key}`);
    if (!e) throw new WeightsError(file, `tensor "${name}": storage ${t.storage.key} is missing from the file (truncated?)`);
    const bytes = t.storage.numel * (ITEM_SIZE[t.storage.dtype] ?? 1);
    if (ITEM_SIZE[t.storage.dtype] && e.size !== bytes) throw new WeightsError(file, `storage ${t.storage.key} holds ${e.size} bytes, its ${t.storage.numel} ${t.storage.dtype} values take ${bytes}`);
  }
}

export class TorchZip extends TorchFile {
  readonly root: unknown;
  private entries = new Map<string, ZipEntry>();
  private prefix: string;

  constructor(readonly bytes: Uint8Array, file: string) {
    super(file);
    for (const e of readZipDirectory(bytes, file)) this.entries.set(e.name, e);
    const pkl = [...this.entries.keys()].find((n) => n.endsWith('/data.pkl') || n === 'data.pkl');
    if (!pkl) throw new WeightsError(file, 'zip archive without data.pkl: not a torch.save file');
    this.prefix = pkl.slice(0, pkl.length - 'data.pkl'.length);
    this.root = unpickle(zipEntryData(bytes, this.entries.get(pkl)!, file), file);
    checkTorchArchive(this.entries, this.prefix, stateDictOf(this.root, file), file);
  }

  protected storageBytes(key: string): Uint8Array | null {
    const e = this.entries.get(`${this.prefix}data/${key}`);
    return e ? zipEntryData(this.bytes, e, this.file) : null;
  }
}

/**
 * The legacy format (torch < 1.6, or _use_new_zipfile_serialization=False), e.g. Gatys'
 * vgg_conv.pth: five pickles back to back — magic number, protocol version, system info, the
 * object, the list of storage keys — then each storage in that order as an int64 element count
 * followed by its raw bytes.
 */
/** The legacy format's magic number (the first pickle). */
export const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

export interface LegacyHeader {
  /** The unpickled object (the state dict). */
  root: unknown;
  /** Storage key → where its int64 element count and bytes lie in the file ([start, end)). */
  spans: Map<string, { start: number; end: number; storage: TorchStorage }>;
  /** Where the storages end (the file's expected length). */
  end: number;
}

/**
 * The five pickles at the start of a legacy torch.save file, and where each storage lies after
 * them (sizes from the pickled element counts). Throws "truncated pickle data" when `bytes`
 * stops inside the pickles, so a ranged reader can fetch more and retry.
 */
export function readLegacyHeader(bytes: Uint8Array, file: string): LegacyHeader {
  const magic = unpickleAt(bytes, 0, file);
  if (typeof magic.value !== 'bigint' || magic.value !== LEGACY_MAGIC) throw new WeightsError(file, 'not a torch.save file (no zip archive, no legacy magic number)');
  const protocol = unpickleAt(bytes, magic.end, file);
  if (protocol.value !== 1001) throw new WeightsError(file, `unsupported legacy torch.save protocol ${describe(protocol.value)} (expected 1001)`);
  const sysInfo = unpickleAt(bytes, protocol.end, file);
  const kinds = new Map<string, TorchStorage>();
  const obj = unpickleAt(bytes, sysInfo.end, file, kinds);
  const keys = unpickleAt(bytes, obj.end, file);
  if (!Array.isArray(keys.value)) throw new WeightsError(file, 'corrupt legacy torch.save file (no storage key list)');
  const spans = new Map<string, { start: number; end: number; storage: TorchStorage }>();
  let p = keys.end;
  // values are only looked at one level deep (never stringified: a file can nest them 10⁶ deep or make them circular)
  for (const key of keys.value as unknown[]) {
    if (typeof key !== 'string') throw new WeightsError(file, `corrupt legacy torch.save file (the storage key list holds ${describe(key)}, not a key)`);
    const storage = kinds.get(key);
    if (!storage) throw new WeightsError(file, `corrupt legacy torch.save file (storage ${key} is listed but never used)`);
    const end = p + 8 + storage.numel * (ITEM_SIZE[storage.dtype] ?? 1);
    spans.set(key, { start: p, end, storage });
    p = end;
  }
  return { root: obj.value, spans, end: p };
}

/** A legacy storage's bytes from its span (count, then data); checks the count against the pickle. */
export function legacyStorageBytes(span: Uint8Array, key: string, numel: number, file: string): Uint8Array {
  const count = Number(new DataView(span.buffer, span.byteOffset, 8).getBigInt64(0, true));
  if (count !== numel) throw new WeightsError(file, `storage ${key} holds ${count} elements, the pickle says ${numel} (corrupt file)`);
  return span.subarray(8);
}

export class TorchLegacy extends TorchFile {
  readonly root: unknown;
  private storages = new Map<string, Uint8Array>();

  constructor(bytes: Uint8Array, file: string) {
    super(file);
    const h = readLegacyHeader(bytes, file);
    this.root = h.root;
    for (const [key, { start, end, storage }] of h.spans) {
      if (start + 8 > bytes.length) throw new WeightsError(file, `truncated: storage ${key} starts past the end of the file (${bytes.length} bytes)`);
      if (end > bytes.length) throw new WeightsError(file, `truncated: storage ${key} needs bytes up to ${end}, the file has ${bytes.length}`);
      this.storages.set(key, legacyStorageBytes(bytes.subarray(start, end), key, storage.numel, file));
    }
  }

  protected storageBytes(key: string): Uint8Array | null {
    return this.storages.get(key) ?? null;
  }
}

/** Open a torch.save file of either format. */
export function openTorchFile(bytes: Uint8Array, file: string): TorchFile {
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b) return new TorchZip(bytes, file);
  if (bytes.length >= 1 && bytes[0] === 0x80) return new TorchLegacy(bytes, file);
  // neither: let the zip reader give its precise message (it also finds archives with a prefix)
  return new TorchZip(bytes, file);
}


// ---------------------------------------------------------------- state dicts → our layers

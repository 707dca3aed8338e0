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
import { CAFFE_CONVENTION, TORCHVISION_CONVENTION, type InputConvention } from '../kernels/image.js';
import { halfToFloat } from './safetensors.js';
import { NETWORK_IDS, NETWORKS, networkSpec, paramConvsUpTo, VGG19, type NetworkId, type NetworkSpec, type ParamConv } from '../nst/networks.js';
import { assembleLayers, checkFinite, WeightsError, type NetworkWeights } from '../nst/weights.js';

// ---------------------------------------------------------------- zip

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/**
 * The central directory, found from the end. `bytes` may be only the file's tail, starting at
 * file offset `base` (offsets in the result are always file offsets); it must hold the whole
 * directory (ZipDirectoryNotInTail says where it starts otherwise).
 */
export function readZipDirectory(bytes: Uint8Array, file: string, base = 0): ZipEntry[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65536); i--) {
    if (dv.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new WeightsError(file, 'not a zip archive (no end-of-central-directory record): truncated, or not a torch.save file of torch ≥ 1.6');
  // as PyTorch's reader: one disk only (a split archive's parts are elsewhere)
  const disk = dv.getUint16(eocd + 4, true), cdDisk = dv.getUint16(eocd + 6, true);
  if ((disk !== 0 && disk !== 0xffff) || (cdDisk !== 0 && cdDisk !== 0xffff)) throw new WeightsError(file, 'a multi-disk (split) zip archive: not a torch.save file');
  // torch.save writes zip64 records too; their disk numbers are checked as well (miniz does)
  const loc64 = eocd - 20;
  if (loc64 >= 0 && dv.getUint32(loc64, true) === 0x07064b50) {
    const z = Number(dv.getBigUint64(loc64 + 8, true)) - base;
    const has64 = z >= 0 && z + 56 <= bytes.length && dv.getUint32(z, true) === 0x06064b50;
    const split = dv.getUint32(loc64 + 4, true) !== 0 || dv.getUint32(loc64 + 16, true) > 1 || (has64 && (dv.getUint32(z + 16, true) !== 0 || dv.getUint32(z + 20, true) !== 0));
    if (split) throw new WeightsError(file, 'a multi-disk (split) zip archive: not a torch.save file');
    if (has64) {
      // the two records must agree on the number of entries
      const n64 = dv.getBigUint64(z + 24, true), total64 = dv.getBigUint64(z + 32, true), n32 = dv.getUint16(eocd + 10, true);
      if (n64 !== total64 || (n32 !== 0xffff && BigInt(n32) !== total64)) throw new WeightsError(file, `the zip's two end records disagree on its number of entries (${n32} and ${total64})`);
    }
  }
  let count = dv.getUint16(eocd + 10, true);
  let cdOffset = dv.getUint32(eocd + 16, true);
  if (cdOffset === 0xffffffff || count === 0xffff) {
    // zip64: locator just before the EOCD points at the zip64 EOCD record
    const loc = eocd - 20;
    if (loc < 0 || dv.getUint32(loc, true) !== 0x07064b50) throw new WeightsError(file, 'zip64 archive without a zip64 locator (truncated?)');
    const z = Number(dv.getBigUint64(loc + 8, true)) - base;
    if (z < 0) throw new ZipDirectoryNotInTail(z + base);
    if (z + 56 > bytes.length || dv.getUint32(z, true) !== 0x06064b50) throw new WeightsError(file, 'bad zip64 end-of-central-directory record');
    count = Number(dv.getBigUint64(z + 32, true));
    cdOffset = Number(dv.getBigUint64(z + 48, true));
  }
  if (cdOffset < base) throw new ZipDirectoryNotInTail(cdOffset);
  const entries: ZipEntry[] = [];
  const seen = new Set<string>();
  let p = cdOffset - base;
  for (let i = 0; i < count; i++) {
    if (p + 46 > bytes.length || dv.getUint32(p, true) !== 0x02014b50) throw new WeightsError(file, `corrupt zip central directory at entry ${i}`);
    const method = dv.getUint16(p + 10, true);
    let compressedSize = dv.getUint32(p + 20, true);
    let size = dv.getUint32(p + 24, true);
    const nameLen = dv.getUint16(p + 28, true), extraLen = dv.getUint16(p + 30, true), commentLen = dv.getUint16(p + 32, true);
    let localOffset = dv.getUint32(p + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen));
    // zip64 extra field (id 1) holds the 64-bit values that overflowed, in this order
    let e = p + 46 + nameLen;
    const eEnd = e + extraLen;
    while (e + 4 <= eEnd) {
      const id = dv.getUint16(e, true), len = dv.getUint16(e + 2, true);
      if (id === 1) {
        let q = e + 4;
        if (size === 0xffffffff) { size = Number(dv.getBigUint64(q, true)); q += 8; }
        if (compressedSize === 0xffffffff) { compressedSize = Number(dv.getBigUint64(q, true)); q += 8; }
        if (localOffset === 0xffffffff) { localOffset = Number(dv.getBigUint64(q, true)); q += 8; }
      }
      e += 4 + len;
    }
    // PyTorch reads the first entry of a name, a plain zip reader the last: refuse the ambiguity
    if (seen.has(name)) throw new WeightsError(file, `the zip holds "${name.length > 80 ? `${name.slice(0, 80)}…` : name}" twice (a tampered archive)`);
    seen.add(name);
    if (!Number.isSafeInteger(size) || !Number.isSafeInteger(localOffset)) throw new WeightsError(file, `zip entry "${name}" has a size or offset past 2⁵³`);
    entries.push({ name, method, compressedSize, size, localOffset });
    p = eEnd + commentLen;
  }
  return entries;
}

/** Thrown when the tail given to readZipDirectory starts after the directory (at `offset`). */
export class ZipDirectoryNotInTail extends Error {
  constructor(readonly offset: number) {
    super(`zip central directory starts at ${offset}, before the bytes given`);
  }
}

/** Where an entry's data starts, from its local header at `at` in `bytes` (`at` = e.localOffset − base). */
export function zipLocalDataStart(bytes: Uint8Array, at: number, e: ZipEntry, file: string): number {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (at + 30 > bytes.length || dv.getUint32(at, true) !== 0x04034b50) throw new WeightsError(file, `corrupt zip local header for ${e.name}`);
  if (e.method !== 0) throw new WeightsError(file, `${e.name} is compressed (method ${e.method}); torch.save writes stored entries — re-save the file with torch.save`);
  return at + 30 + dv.getUint16(at + 26, true) + dv.getUint16(at + 28, true);
}

export function zipEntryData(bytes: Uint8Array, e: ZipEntry, file: string, base = 0): Uint8Array {
  const start = zipLocalDataStart(bytes, e.localOffset - base, e, file);
  if (start + e.size > bytes.length) throw new WeightsError(file, `truncated: ${e.name} needs bytes up to ${start + base + e.size}, the file has ${bytes.length + base}`);
  return bytes.subarray(start, start + e.size);
}

// ---------------------------------------------------------------- pickle

export class PickleGlobal {
  constructor(readonly name: string) {}
}
export interface TorchStorage {
  kind: 'storage';
  dtype: string;
  key: string;
  numel: number;
}
export interface TorchTensor {
  kind: 'tensor';
  storage: TorchStorage;
  offset: number;
  shape: number[];
  stride: number[];
}

const STORAGE_DTYPES: Record<string, string> = {
  'torch.FloatStorage': 'float32',
  'torch.DoubleStorage': 'float64',
  'torch.HalfStorage': 'float16',
  'torch.BFloat16Storage': 'bfloat16',
  'torch.LongStorage': 'int64',
  'torch.IntStorage': 'int32',
  'torch.ByteStorage': 'uint8',
  'torch.BoolStorage': 'bool',
};

/**
 * The globals a state dict of tensors needs — the rebuild functions, OrderedDict and the storage
 * types, as in PyTorch's weights_only loader. Every other global (os.system, builtins.eval, …) is
 * refused by name when the pickle names it, before anything could use it.
 */
const CALLABLE_GLOBALS = ['collections.OrderedDict', 'torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_tensor', 'torch._utils._rebuild_parameter', 'torch._utils._rebuild_parameter_with_state'];
export const ALLOWED_GLOBALS: ReadonlySet<string> = new Set([...CALLABLE_GLOBALS, ...Object.keys(STORAGE_DTYPES)]);

/** Limits no real state dict comes near; a file past them is refused, not followed. */
const PICKLE_LIMITS = { stack: 1_000_000, memo: 1_000_000, marks: 100_000, dims: 8 };

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** A tensor from _rebuild_tensor(_v2)'s arguments, checked: a storage, exact non-negative integers, a contiguous layout. */
function rebuildTensor(args: unknown[], file: string): TorchTensor {
  const [storage, offset, shape, stride] = args;
  if (!(storage && typeof storage === 'object' && (storage as TorchStorage).kind === 'storage')) throw new WeightsError(file, 'a tensor is rebuilt from something that is not a storage');
  if (!isCount(offset)) throw new WeightsError(file, `a tensor has the storage offset ${describe(offset)}; expected an integer ≥ 0`);
  if (!Array.isArray(shape) || !Array.isArray(stride) || shape.length !== stride.length || shape.length > PICKLE_LIMITS.dims) {
    throw new WeightsError(file, `a tensor has shape ${describe(shape)} and stride ${describe(stride)}; expected two tuples of the same length (≤ ${PICKLE_LIMITS.dims})`);
  }
  if (!shape.every(isCount) || !stride.every(isCount)) throw new WeightsError(file, `a tensor has shape ${describe(shape)} and stride ${describe(stride)}; expected integers ≥ 0`);
  // a dense layout only: the contiguous one of the shape or of a permutation of its dimensions
  // (a saved transposed view), every element once — no overlaps, gaps or zero strides
  const dims = shape.map((n, d) => ({ n, s: stride[d] })).filter((x) => x.n > 1).sort((a, b) => a.s - b.s);
  let expected = 1;
  for (const { n, s } of dims) {
    if (s !== expected) throw new WeightsError(file, `a tensor of shape [${shape.join(', ')}] has stride [${stride.join(', ')}], which is not a dense layout (the contiguous one is [${contiguousStrides(shape).join(', ')}])`);
    expected *= n;
  }
  if (!Number.isSafeInteger(expected)) throw new WeightsError(file, `a tensor of shape [${shape.join(', ')}] has more elements than can be counted exactly`);
  // every tensor lies inside its storage, whether this run reads it or not (PyTorch checks them all)
  const st = storage as TorchStorage;
  if (expected > 0 && offset + expected > st.numel) throw new WeightsError(file, `a tensor of shape [${shape.join(', ')}] at offset ${offset} needs ${offset + expected} elements, its storage ${st.key} has ${st.numel}`);
  return { kind: 'tensor', storage: st, offset, shape: [...shape], stride: [...stride] };
}

function contiguousStrides(shape: number[]): number[] {
  const out = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    out[d] = s;
    s *= shape[d];
  }
  return out;
}

/** A short description of a pickled value for messages (never recursive: a file can make values circular or deep). */
function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return `a tuple of ${v.length}`;
  if (v instanceof PickleGlobal) return `the global ${v.name}`;
  if (v instanceof Map) return 'a dict';
  return 'an object';
}

function callGlobal(fn: unknown, args: unknown, file: string): unknown {
  if (!(fn instanceof PickleGlobal) || !CALLABLE_GLOBALS.includes(fn.name)) throw new WeightsError(file, `the pickle calls ${describe(fn)}, which a state dict of tensors never does`);
  if (!Array.isArray(args)) throw new WeightsError(file, `the pickle calls ${fn.name} with ${describe(args)} instead of an argument tuple`);
  switch (fn.name) {
    case 'collections.OrderedDict':
      if (args.length > 0) throw new WeightsError(file, 'the pickle builds an OrderedDict from arguments (torch.save writes an empty one, then its items)');
      return new Map();
    case 'torch._utils._rebuild_tensor_v2':
    case 'torch._utils._rebuild_tensor':
      return rebuildTensor(args, file);
    default: // _rebuild_parameter(_with_state): the tensor, with requires_grad (and state) ignored
      if (!(args[0] && typeof args[0] === 'object' && (args[0] as TorchTensor).kind === 'tensor')) throw new WeightsError(file, `${fn.name} is given ${describe(args[0])} instead of a tensor`);
      return args[0];
  }
}

/** Run a pickle program (protocol ≤ 5 subset that torch.save emits); returns the unpickled root object. */
export function unpickle(data: Uint8Array, file: string): unknown {
  return unpickleAt(data, 0, file).value;
}

/**
 * Run the pickle program starting at byte `start` (legacy torch.save files are several pickles
 * back to back); returns the object and the offset just past its STOP opcode. Storages met as
 * persistent ids are also listed in `storages`.
 */
export function unpickleAt(data: Uint8Array, start: number, file: string, storages?: Map<string, TorchStorage>): { value: unknown; end: number } {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  // strict, as Python's unpickler: a string that is not UTF-8 is a damaged file
  const td = new TextDecoder('utf-8', { fatal: true });
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  let p = start;
  const push = (v: unknown) => {
    if (stack.length >= PICKLE_LIMITS.stack) throw new WeightsError(file, `the pickle's stack grows past ${PICKLE_LIMITS.stack} values`);
    stack.push(v);
  };
  const pop = () => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1])) throw new WeightsError(file, `corrupt pickle (a value is taken from an empty stack at byte ${p - 1})`);
    return stack.pop();
  };
  const top = () => {
    if (stack.length === 0) throw new WeightsError(file, `corrupt pickle (empty stack at byte ${p - 1})`);
    return stack[stack.length - 1];
  };
  const remember = (key: number) => {
    if (memo.size >= PICKLE_LIMITS.memo && !memo.has(key)) throw new WeightsError(file, `the pickle's memo grows past ${PICKLE_LIMITS.memo} entries`);
    memo.set(key, top());
  };
  const recall = (key: number) => {
    if (!memo.has(key)) throw new WeightsError(file, `corrupt pickle (memo entry ${key} is read before it is written)`);
    push(memo.get(key));
  };
  const global = (mod: unknown, name: unknown) => {
    if (typeof mod !== 'string' || typeof name !== 'string') throw new WeightsError(file, `corrupt pickle (a global named by ${describe(mod)} and ${describe(name)})`);
    const full = `${mod}.${name}`;
    if (!ALLOWED_GLOBALS.has(full)) throw new WeightsError(file, `the pickle refers to ${full.length > 80 ? `${full.slice(0, 80)}…` : full}, which a state dict of tensors never needs (refused: only torch's tensor rebuild functions, OrderedDict and storage types are allowed)`);
    push(new PickleGlobal(full));
  };
  const need = (n: number) => {
    if (p + n > data.length) throw new WeightsError(file, 'truncated pickle data');
  };
  const u8 = () => (need(1), data[p++]);
  const u32 = () => (need(4), (p += 4), dv.getUint32(p - 4, true));
  const text = (from: number, to: number) => {
    try {
      return td.decode(data.subarray(from, to));
    } catch {
      throw new WeightsError(file, `a string in the pickle at byte ${from} is not valid UTF-8`);
    }
  };
  const str = (n: number) => (need(n), (p += n), text(p - n, p));
  const line = () => {
    const e = data.indexOf(10, p);
    if (e < 0) throw new WeightsError(file, 'truncated pickle data');
    const s = text(p, e);
    p = e + 1;
    return s;
  };
  const popMark = () => {
    const m = marks.pop();
    if (m === undefined) throw new WeightsError(file, 'corrupt pickle (MARK missing)');
    return stack.splice(m);
  };
  // keys are strings or numbers (a state dict's names, a legacy header's fields); values anything
  const setItems = (obj: unknown, kv: unknown[]) => {
    if (!(obj instanceof Map)) throw new WeightsError(file, `corrupt pickle (items set on ${describe(obj)}, not a dict)`);
    if (kv.length % 2 !== 0) throw new WeightsError(file, 'corrupt pickle (a dict item without its value)');
    for (let i = 0; i < kv.length; i += 2) {
      if (typeof kv[i] !== 'string' && typeof kv[i] !== 'number') throw new WeightsError(file, `a dict key is ${describe(kv[i])}; expected a name`);
      obj.set(kv[i], kv[i + 1]);
    }
  };
  const append = (list: unknown, vs: unknown[]) => {
    if (!Array.isArray(list)) throw new WeightsError(file, `corrupt pickle (items appended to ${describe(list)}, not a list)`);
    if (list.length + vs.length > PICKLE_LIMITS.stack) throw new WeightsError(file, `a list grows past ${PICKLE_LIMITS.stack} values`);
    for (const v of vs) list.push(v);
  };
  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: need(8); p += 8; break; // FRAME
      case 0x7d: push(new Map()); break; // EMPTY_DICT
      case 0x5d: push([]); break; // EMPTY_LIST
      case 0x29: push([]); break; // EMPTY_TUPLE
      case 0x28: // MARK
        if (marks.length >= PICKLE_LIMITS.marks) throw new WeightsError(file, `the pickle nests deeper than ${PICKLE_LIMITS.marks} marks`);
        marks.push(stack.length);
        break;
      case 0x58: push(str(u32())); break; // BINUNICODE
      case 0x8c: push(str(u8())); break; // SHORT_BINUNICODE
      case 0x54: push(str(u32())); break; // BINSTRING
      case 0x55: push(str(u8())); break; // SHORT_BINSTRING
      case 0x63: { const mod = line(); const name = line(); global(mod, name); break; } // GLOBAL
      case 0x93: { const name = pop(); const mod = pop(); global(mod, name); break; } // STACK_GLOBAL
      case 0x71: remember(u8()); break; // BINPUT
      case 0x72: remember(u32()); break; // LONG_BINPUT
      case 0x94: remember(memo.size); break; // MEMOIZE
      case 0x68: recall(u8()); break; // BINGET
      case 0x6a: recall(u32()); break; // LONG_BINGET
      case 0x4b: push(u8()); break; // BININT1
      case 0x4d: need(2); p += 2; push(dv.getUint16(p - 2, true)); break; // BININT2
      case 0x4a: need(4); p += 4; push(dv.getInt32(p - 4, true)); break; // BININT
      case 0x8a: { // LONG1
        const n = u8();
        need(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(data[p + i]);
        if (n > 0 && data[p + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        p += n;
        // beyond 2^53 (e.g. the legacy format's magic number) keep it exact; checks refuse it where a count is needed
        push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x47: need(8); p += 8; push(dv.getFloat64(p - 8, false)); break; // BINFLOAT
      case 0x88: push(true); break;
      case 0x89: push(false); break;
      case 0x4e: push(null); break;
      case 0x74: push(popMark()); break; // TUPLE
      case 0x85: push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); push([a, b]); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); push([a, b, c]); break; } // TUPLE3
      case 0x52: { const args = pop(); const fn = pop(); push(callGlobal(fn, args, file)); break; } // REDUCE
      case 0x81: { const args = pop(); const cls = pop(); push(callGlobal(cls, args, file)); break; } // NEWOBJ
      case 0x62: { // BUILD: only an OrderedDict's state (its _metadata), which is ignored
        const state = pop();
        if (!(top() instanceof Map)) throw new WeightsError(file, `the pickle sets the state of ${describe(top())} (only an OrderedDict's _metadata is expected)`);
        void state;
        break;
      }
      case 0x51: { // BINPERSID
        const pid = pop();
        if (!Array.isArray(pid) || pid[0] !== 'storage' || !(pid[1] instanceof PickleGlobal)) throw new WeightsError(file, `unsupported persistent id (${describe(pid)}; expected ('storage', a storage type, key, location, size))`);
        const dtype = STORAGE_DTYPES[pid[1].name];
        if (!dtype) throw new WeightsError(file, `unsupported storage type ${pid[1].name}`);
        if (typeof pid[2] !== 'string' || !/^[A-Za-z0-9_.]{1,64}$/.test(pid[2])) throw new WeightsError(file, `a storage has the key ${describe(pid[2])}; expected a short name`);
        if (!isCount(pid[4])) throw new WeightsError(file, `storage ${pid[2]} has the size ${describe(pid[4])}; expected an integer ≥ 0`);
        const storage: TorchStorage = { kind: 'storage', dtype, key: pid[2], numel: pid[4] };
        storages?.set(storage.key, storage);
        push(storage);
        break;
      }
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const kv = popMark(); setItems(top(), kv); break; } // SETITEMS
      case 0x61: { const v = pop(); append(top(), [v]); break; } // APPEND
      case 0x65: { const vs = popMark(); append(top(), vs); break; } // APPENDS
      case 0x2e: return { value: pop(), end: p }; // STOP
      default:
        throw new WeightsError(file, `unsupported pickle opcode 0x${op.toString(16)} at byte ${p - 1}`);
    }
  }
}

// ---------------------------------------------------------------- tensors

export const ITEM_SIZE: Record<string, number> = { float32: 4, float64: 8, float16: 2, bfloat16: 2 };

/** A tensor's values as float32 in row-major order, gathered by strides from its storage's raw bytes. */
export function tensorFromStorage(file: string, name: string, t: TorchTensor, raw: Uint8Array): Float32Array {
  const itemSize = ITEM_SIZE[t.storage.dtype];
  if (!itemSize) throw new WeightsError(file, `tensor "${name}" has dtype ${t.storage.dtype}; expected float32, float64, float16 or bfloat16`);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const bf16 = t.storage.dtype === 'bfloat16';
  const read = (i: number) => {
    if ((i + 1) * itemSize > raw.length) throw new WeightsError(file, `tensor "${name}" is truncated: element ${i} is past its storage's ${raw.length} bytes`);
    if (itemSize === 4) return dv.getFloat32(i * 4, true);
    if (itemSize === 8) return dv.getFloat64(i * 8, true);
    const h = dv.getUint16(i * 2, true);
    return bf16 ? new Float32Array(new Uint32Array([h << 16]).buffer)[0] : halfToFloat(h);
  };
  const n = t.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  const idx = new Array(t.shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    let off = t.offset;
    for (let d = 0; d < idx.length; d++) off += idx[d] * t.stride[d];
    out[i] = read(off);
    for (let d = idx.length - 1; d >= 0; d--) {
      if (++idx[d] < t.shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

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
  if (protocol.value !== 1001) throw new WeightsError(file, `unsupported legacy torch.save protocol ${String(protocol.value)} (expected 1001)`);
  const sysInfo = unpickleAt(bytes, protocol.end, file);
  const kinds = new Map<string, TorchStorage>();
  const obj = unpickleAt(bytes, sysInfo.end, file, kinds);
  const keys = unpickleAt(bytes, obj.end, file);
  if (!Array.isArray(keys.value)) throw new WeightsError(file, 'corrupt legacy torch.save file (no storage key list)');
  const spans = new Map<string, { start: number; end: number; storage: TorchStorage }>();
  let p = keys.end;
  for (const k of keys.value as unknown[]) {
    const key = String(k);
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
  if (bytes.length >= 2 && bytes[0] === 0x80) return new TorchLegacy(bytes, file);
  // neither: let the zip reader give its precise message (it also finds archives with a prefix)
  return new TorchZip(bytes, file);
}


// ---------------------------------------------------------------- state dicts → our layers

/** One way a state dict names a network's conv tensors (each may also carry a `module.` prefix). */
interface Naming {
  /** The file's name for a conv's tensors, without ".weight"/".bias". */
  key(c: ParamConv): string;
  /** The input convention weights named this way expect. */
  input: InputConvention;
  /** For messages. */
  example: string;
}

const NAMINGS: Record<NetworkId, readonly Naming[]> = {
  vgg19: [
    // torchvision's vgg19 and timm's vgg19.tv_in1k: RGB in [0,1], ImageNet mean/std
    { key: (c) => c.torchKey, input: TORCHVISION_CONVENTION, example: `torchvision's "features.N.weight"` },
    // Gatys et al.'s normalised vgg_conv.pth: Caffe's convention, BGR in [0,255] minus the mean pixel
    { key: (c) => c.name, input: CAFFE_CONVENTION, example: `Gatys' "conv1_1.weight"` },
  ],
  squeezenet: [
    // torchvision's squeezenet1_1 (features.0, features.3.squeeze, …, classifier.1 ignored)
    { key: (c) => c.torchKey, input: TORCHVISION_CONVENTION, example: `torchvision's "features.0.weight", "features.3.squeeze.weight"` },
    // our own names (files we write from torchvision's weights): the same convention
    { key: (c) => c.name, input: TORCHVISION_CONVENTION, example: `ours, "conv1.weight", "fire2/squeeze.weight"` },
  ],
};

const keyIn = (sd: Map<string, unknown>, name: string): string | undefined => (sd.has(name) ? name : sd.has(`module.${name}`) ? `module.${name}` : undefined);

/** The naming of `spec` that finds the most of its tensors in `sd` (the first on a tie), and how many. */
function bestNaming(sd: Map<string, unknown>, spec: NetworkSpec): { naming: Naming; count: number } {
  let best = { naming: NAMINGS[spec.id][0], count: -1 };
  for (const naming of NAMINGS[spec.id]) {
    let count = 0;
    for (const c of spec.convs) for (const suffix of ['weight', 'bias']) if (keyIn(sd, `${naming.key(c)}.${suffix}`)) count++;
    if (count > best.count) best = { naming, count };
  }
  return best;
}

/**
 * Which network's conv tensors a state dict holds, by its keys: the network whose naming finds
 * the most of them (null when none does). Keys alone decide: VGG19's conv1_1 and SqueezeNet's
 * conv1 are both torchvision's features.0 with the same shape, so a file holding only that conv
 * counts as either (the one asked for wins).
 */
export function detectNetwork(sd: Map<string, unknown>): NetworkId | null {
  let found: NetworkId | null = null, most = 0;
  for (const id of NETWORK_IDS) {
    const { count } = bestNaming(sd, NETWORKS[id]);
    if (count > most) [found, most] = [id, count];
  }
  return found;
}

/** The file holds another network's weights than the one asked for; `found` says which. */
export class WrongNetworkError extends WeightsError {
  constructor(file: string, readonly found: NetworkId, readonly wanted: NetworkId) {
    super(file, `holds ${NETWORKS[found].label} weights, not ${NETWORKS[wanted].label}'s; use --network ${found}`);
    this.name = 'WrongNetworkError';
  }
}

/**
 * Which tensors of a state dict (torch or safetensors; anything with a shape) hold the network's
 * conv layers, and the input convention their naming implies. Namings:
 *  - VGG19: torchvision's and timm's `features.N.weight` (features.N.bias), or Gatys'
 *    `conv1_1.weight` (Caffe's convention);
 *  - SqueezeNet 1.1: torchvision's `features.0.weight`, `features.3.squeeze.weight`,
 *    `features.3.expand1x1.weight`, … (the classifier is ignored), or our names
 *    `conv1.weight`, `fire2/squeeze.weight`, …;
 * either may carry a `module.` prefix. A file holding the other network's weights is named as
 * such (WrongNetworkError). Shapes are checked here (the tensor is named in errors).
 * Returns our name (`conv1_1.weight`, `fire2/squeeze.weight`) → the file's key, in the network's
 * order, stopping after the convs of layer `upTo` (default: all).
 */
export function planTensors(
  sd: Map<string, { shape: number[] }>,
  file: string,
  spec: NetworkSpec = VGG19,
  upTo?: string,
): { keys: Map<string, string>; input: InputConvention } {
  const convs = upTo === undefined ? spec.convs : paramConvsUpTo(spec, upTo);
  const mine = bestNaming(sd, spec);
  for (const id of NETWORK_IDS) if (id !== spec.id && bestNaming(sd, NETWORKS[id]).count > mine.count) throw new WrongNetworkError(file, id, spec.id);
  const keys = new Map<string, string>();
  for (const c of convs) {
    for (const [suffix, shape] of [['weight', [c.O, c.C, c.K, c.K]], ['bias', [c.O]]] as const) {
      const key = keyIn(sd, `${mine.naming.key(c)}.${suffix}`);
      if (!key) continue;
      const t = sd.get(key)!;
      if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
        throw new WeightsError(file, `tensor "${key}" (${c.name}.${suffix}) has shape [${t.shape}] but ${spec.label} needs [${shape}]`);
      }
      keys.set(`${c.name}.${suffix}`, key);
    }
  }
  if (keys.size === 0) {
    const seen = [...sd.keys()].slice(0, 6).join(', ');
    throw new WeightsError(file, `no ${spec.label} conv tensors found (keys: ${seen || 'none'}…); expected ${NAMINGS[spec.id].map((n) => n.example).join(' or ')}`);
  }
  return { keys, input: mine.naming.input };
}

/**
 * A state dict in a .pth file (either torch.save format) → our weights of `network` (see
 * planTensors for the namings; VGG19's Gatys naming means Caffe's input convention, and its
 * weights are rescaled so that each layer's mean activation over ImageNet is 1, so loss weights
 * tuned for torchvision need adjusting). A state dict holding only the first few convs gives
 * those layers only; a file of the other network is refused, naming it.
 */
export function convertPth(bytes: Uint8Array, file: string, network: NetworkId): NetworkWeights {
  const spec = networkSpec(network);
  const torch = openTorchFile(bytes, file);
  const sd = torch.stateDict();
  const plan = planTensors(sd, file, spec);
  const byName = new Map<string, Float32Array>();
  for (const [ours, key] of plan.keys) {
    const a = torch.float32(key, sd.get(key)!);
    checkFinite(file, key, a);
    byName.set(ours, a);
  }
  return { network: spec.id, source: file, input: plan.input, layers: assembleLayers(file, byName, spec) };
}

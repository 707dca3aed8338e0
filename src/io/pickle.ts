/**
 * A pickle virtual machine for the opcodes torch.save emits, refusing by rule as PyTorch's
 * `weights_only` loader does: only the rebuild functions, storage types and OrderedDict may be
 * called; nesting, memo and stack are bounded; no recursion a file can drive (values it builds may
 * nest 10⁶ deep or be circular: nothing here or in its callers walks them recursively). Files of
 * every era: torch ≥ 0.4's empty OrderedDict then SETITEMS, and Python 2's OrderedDict from a list
 * of [name, tensor] pairs with _rebuild_tensor and float64 storages (2017's legacy files). Tensors come out as
 * TorchTensor (storage, offset, shape, contiguous strides) and are decoded by tensorFromStorage.
 */
import { halfToFloat } from './safetensors.js';
import { WeightsError } from '../model/weights.js';

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
  'torch.ShortStorage': 'int16',
  'torch.CharStorage': 'int8',
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
  const st = storage as TorchStorage;
  // an empty tensor reads no element: PyTorch checks neither its strides nor its offset
  if (shape.includes(0)) return { kind: 'tensor', storage: st, offset, shape: [...shape], stride: [...stride] };
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
  if (offset + expected > st.numel) throw new WeightsError(file, `a tensor of shape [${shape.join(', ')}] at offset ${offset} needs ${offset + expected} elements, its storage ${st.key} has ${st.numel}`);
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
export function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return `a tuple of ${v.length}`;
  if (v instanceof PickleGlobal) return `the global ${v.name}`;
  if (v instanceof Map) return 'a dict';
  return 'an object';
}

/**
 * OrderedDict(…) as Python builds it: empty (torch ≥ 0.4 writes that, then SETITEMS), or from one
 * argument, a list or tuple of (name, value) pairs — Python 2's OrderedDict.__reduce__ writes
 * [[name, tensor], …], as in the 2017 legacy files (Gatys' vgg_conv.pth) — or a dict. Nothing is
 * recursed into: pairs are read one level deep.
 */
function orderedDict(args: unknown[], file: string): Map<string | number, unknown> {
  const out = new Map<string | number, unknown>();
  if (args.length === 0) return out;
  if (args.length > 1) throw new WeightsError(file, `the pickle builds an OrderedDict from ${args.length} arguments (Python takes at most one)`);
  const items = args[0];
  if (items instanceof Map) {
    for (const [k, v] of items) out.set(k, v);
    return out;
  }
  if (!Array.isArray(items)) throw new WeightsError(file, `the pickle builds an OrderedDict from ${describe(items)}; expected a list of (name, value) pairs`);
  for (const pair of items) {
    if (!Array.isArray(pair) || pair.length !== 2) throw new WeightsError(file, `the pickle builds an OrderedDict from an item that is ${describe(pair)}, not a (name, value) pair`);
    if (typeof pair[0] !== 'string' && typeof pair[0] !== 'number') throw new WeightsError(file, `a dict key is ${describe(pair[0])}; expected a name`);
    out.set(pair[0], pair[1]);
  }
  return out;
}

function callGlobal(fn: unknown, args: unknown, file: string): unknown {
  if (!(fn instanceof PickleGlobal) || !CALLABLE_GLOBALS.includes(fn.name)) throw new WeightsError(file, `the pickle calls ${describe(fn)}, which a state dict of tensors never does`);
  if (!Array.isArray(args)) throw new WeightsError(file, `the pickle calls ${fn.name} with ${describe(args)} instead of an argument tuple`);
  switch (fn.name) {
    case 'collections.OrderedDict':
      return orderedDict(args, file);
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
        // a legacy file's sixth field: a view of the root storage (torch before 0.4); never met in a state dict
        if (pid.length > 5 && pid[5] !== null) throw new WeightsError(file, `storage ${pid[2]} is saved as a view of another storage (${describe(pid[5])}), which a state dict of tensors never needs`);
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

/** Bytes per element of every storage type (where a legacy file's storages lie, what a zip entry must hold). */
export const ITEM_SIZE: Record<string, number> = { float32: 4, float64: 8, float16: 2, bfloat16: 2, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1 };
/** The storage types whose tensors can be weights. */
const FLOAT_STORAGES = new Set(['float32', 'float64', 'float16', 'bfloat16']);

/**
 * A tensor's values as float32 in row-major order, gathered by strides from its storage's raw bytes.
 * float64 (torch.DoubleStorage, as in Gatys' 2017 vgg_conv.pth) is rounded to the nearest float32,
 * exactly as PyTorch's .float(): precision beyond float32's 24-bit significand is lost (a relative
 * change of at most 2⁻²⁴), and values beyond float32's range become ±Infinity (then refused as not finite).
 */
export function tensorFromStorage(file: string, name: string, t: TorchTensor, raw: Uint8Array): Float32Array {
  const itemSize = ITEM_SIZE[t.storage.dtype];
  if (!FLOAT_STORAGES.has(t.storage.dtype)) throw new WeightsError(file, `tensor "${name}" has dtype ${t.storage.dtype}; expected float32, float64, float16 or bfloat16`);
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

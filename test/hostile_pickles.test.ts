/**
 * The pickle reader refuses by rule (src/io/pickle.ts): only the globals a state dict of
 * tensors needs, checked numbers and layouts, bounded stack, memo and nesting, and no message that
 * a file can make recursive. Each case is a small pickle written here opcode by opcode; every
 * refusal must be a WeightsError naming the file (never a raw JavaScript error).
 */
import { describe, expect, it } from 'vitest';
import { unpickle } from '../src/io/pickle.js';
import { WeightsError } from '../src/model/weights.js';

const enc = new TextEncoder();
const u32 = (n: number) => [n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255];
const op = {
  proto: [0x80, 2],
  dict: [0x7d],
  tuple0: [0x29],
  list: [0x5d],
  mark: [0x28],
  tuple: [0x74],
  tuple1: [0x85],
  setitem: [0x73],
  appends: [0x65],
  reduce: [0x52],
  build: [0x62],
  binpersid: [0x51],
  none: [0x4e],
  stop: [0x2e],
  memoize: [0x94],
  binget: (k: number) => [0x68, k],
  int: (n: number) => [0x4a, ...u32(n)],
  str: (s: string) => [0x8c, enc.encode(s).length, ...enc.encode(s)],
  global: (mod: string, name: string) => [0x63, ...enc.encode(`${mod}\n${name}\n`)],
  stackGlobal: (mod: string, name: string) => [0x8c, mod.length, ...enc.encode(mod), 0x8c, name.length, ...enc.encode(name), 0x93],
  long1: (bytes: number[]) => [0x8a, bytes.length, ...bytes],
};
const pickle = (...parts: (number | number[])[]) => new Uint8Array([...op.proto, ...parts.flat(), ...op.stop]);

/** ('storage', torch.FloatStorage, '0', 'cpu', numel) as a persistent id. */
const storage = (numel: number[]) => [...op.mark, ...op.str('storage'), ...op.global('torch', 'FloatStorage'), ...op.str('0'), ...op.str('cpu'), ...numel, ...op.tuple, ...op.binpersid];
/** {'w': _rebuild_tensor_v2(storage, offset, shape, stride, False, OrderedDict())} with the given pieces. */
const tensorDict = (offset: number[], shape: number[], stride: number[]) =>
  pickle(op.dict, op.str('w'), op.global('torch._utils', '_rebuild_tensor_v2'), op.mark, storage(op.int(8)), offset, shape, stride, [0x89], op.global('collections', 'OrderedDict'), op.tuple0, op.reduce, op.tuple, op.reduce, op.setitem);
const tup = (...xs: number[][]) => [...op.mark, ...xs.flat(), ...op.tuple];

function refusal(bytes: Uint8Array): string {
  try {
    unpickle(bytes, 'hostile.pth');
  } catch (e) {
    expect(e, `not a WeightsError: ${(e as Error).message}`).toBeInstanceOf(WeightsError);
    return (e as Error).message;
  }
  throw new Error('accepted');
}

describe('pickle reader: only what a state dict of tensors needs', () => {
  it('reads the plain case (the baseline the hostile ones change)', () => {
    const sd = unpickle(tensorDict(op.int(0), tup(op.int(2), op.int(2)), tup(op.int(2), op.int(1))), 'ok.pth') as Map<string, { shape: number[]; stride: number[] }>;
    expect(sd.get('w')!.shape).toEqual([2, 2]);
  });
  it.each([
    ['os.system by GLOBAL', pickle(op.global('os', 'system'), op.str('echo'), op.tuple1, op.reduce), /refers to os\.system, which a state dict of tensors never needs/],
    ['builtins.exec by STACK_GLOBAL', pickle(op.stackGlobal('builtins', 'exec'), op.str('1'), op.tuple1, op.reduce), /refers to builtins\.exec/],
    ['__builtin__.eval', pickle(op.dict, op.str('x'), op.global('__builtin__', 'eval'), op.setitem), /refers to __builtin__\.eval/],
    ['a STACK_GLOBAL of non-strings', pickle(op.int(1), op.int(2), [0x93]), /a global named by 1 and 2/],
    ['REDUCE on a value that is not a global', pickle(op.list, op.tuple0, op.reduce), /calls a tuple of 0/],
    ['REDUCE with arguments that are not a tuple', pickle(op.global('collections', 'OrderedDict'), op.int(3), op.reduce), /with 3 instead of an argument tuple/],
    ['BUILD on something that is not a dict', pickle(op.list, op.dict, op.build), /sets the state of a tuple of 0/],
    ['a memo entry read before it is written', pickle(op.binget(5)), /memo entry 5 is read before it is written/],
    ['a value taken from an empty stack', pickle(op.tuple1), /empty stack/],
    ['a value taken from below a MARK', pickle(op.int(1), op.mark, op.tuple1), /empty stack/],
    ['nesting 200 000 MARKs deep', pickle(Array(200_000).fill(0x28)), /nests deeper than 100000 marks/],
    ['a persistent id that contains itself', pickle(op.list, op.memoize, op.binget(0), [0x61], op.binpersid), /unsupported persistent id \(a tuple of 1/],
    ['a dict key that is a dict', pickle(op.dict, op.dict, op.none, op.setitem), /a dict key is a dict; expected a name/],
    ['an OrderedDict from two arguments', pickle(op.global('collections', 'OrderedDict'), op.list, op.list, [0x86], op.reduce), /OrderedDict from 2 arguments \(Python takes at most one\)/],
    ['an OrderedDict from a number', pickle(op.global('collections', 'OrderedDict'), op.int(3), op.tuple1, op.reduce), /OrderedDict from 3; expected a list of \(name, value\) pairs/],
    ['an OrderedDict item of three', pickle(op.global('collections', 'OrderedDict'), op.list, tup(op.str('a'), op.none, op.none), [0x61], op.tuple1, op.reduce), /an item that is a tuple of 3, not a \(name, value\) pair/],
    ['an OrderedDict pair named by a dict', pickle(op.global('collections', 'OrderedDict'), op.list, tup(op.dict, op.none), [0x61], op.tuple1, op.reduce), /a dict key is a dict; expected a name/],
    ['a storage saved as a view of another (legacy view_metadata)', pickle(op.mark, op.str('storage'), op.global('torch', 'DoubleStorage'), op.str('0'), op.str('cpu'), op.int(8), tup(op.str('1'), op.int(2), op.int(4)), op.tuple, op.binpersid), /storage 0 is saved as a view of another storage \(a tuple of 3\)/],
    ['a storage type that is not one', pickle(op.mark, op.str('storage'), op.global('collections', 'OrderedDict'), op.str('0'), op.str('cpu'), op.int(8), op.none, op.tuple, op.binpersid), /unsupported storage type collections\.OrderedDict/],
  ])('refuses %s, by name', (_what, bytes, message) => {
    expect(refusal(bytes)).toMatch(message);
    expect(refusal(bytes)).toMatch(/^hostile\.pth: /);
  });
  it.each([
    ['a stride of ()', tup(op.int(2), op.int(2)), tup(), /shape a tuple of 2 and stride a tuple of 0/],
    ['strides of None', tup(op.int(2), op.int(2)), tup(op.none, op.none), /expected integers ≥ 0/],
    ['a zero stride (every element the first)', tup(op.int(2), op.int(2)), tup(op.int(0), op.int(0)), /stride \[0, 0\], which is not a dense layout/],
    ['overlapping rows', tup(op.int(2), op.int(2)), tup(op.int(1), op.int(1)), /not a dense layout \(the contiguous one is \[2, 1\]\)/],
  ])('refuses a tensor with %s', (_what, shape, stride, message) => {
    expect(refusal(tensorDict(op.int(0), shape, stride))).toMatch(message);
  });
  it('refuses a tensor that does not fit in its storage (even one this run would not read)', () => {
    expect(refusal(tensorDict(op.int(0), tup(op.int(3), op.int(3)), tup(op.int(3), op.int(1))))).toMatch(/a tensor of shape \[3, 3\] at offset 0 needs 9 elements, its storage 0 has 8/);
    expect(refusal(tensorDict(op.int(7), tup(op.int(2)), tup(op.int(1))))).toMatch(/at offset 7 needs 9 elements/);
  });
  it('accepts a transposed (dense) layout, as torch.save writes a saved view', () => {
    const sd = unpickle(tensorDict(op.int(0), tup(op.int(2), op.int(3)), tup(op.int(1), op.int(2))), 'ok.pth') as Map<string, { stride: number[] }>;
    expect(sd.get('w')!.stride).toEqual([1, 2]);
  });
  it.each([
    ['negative', op.int(-1), /storage offset -1; expected an integer ≥ 0/],
    ['past 2⁶⁰ (a BigInt)', op.long1([0, 0, 0, 0, 0, 0, 0, 0x10, 0]), /storage offset 1152921504606846976; expected an integer ≥ 0/],
    ['a string', op.str('0'), /storage offset "0"/],
  ])('refuses a storage offset that is %s', (_what, offset, message) => {
    expect(refusal(tensorDict(offset, tup(op.int(2)), tup(op.int(1))))).toMatch(message);
  });
  it('refuses a storage size that is not a count', () => {
    const bytes = pickle(storage(op.str('many')));
    expect(refusal(bytes)).toMatch(/storage 0 has the size "many"; expected an integer ≥ 0/);
  });
  it('builds an OrderedDict from a list of [name, value] lists or a tuple of tuples (Python 2, torch 0.1–0.3)', () => {
    const od = (...pairs: number[][]) => pickle(op.global('collections', 'OrderedDict'), op.list, op.mark, pairs.flat(), op.appends, op.tuple1, op.reduce);
    const asList = (k: string, v: number[]) => [...op.list, ...op.mark, ...op.str(k), ...v, ...op.appends];
    const m = unpickle(od(asList('a', op.int(1)), asList('b', op.int(2)), tup(op.str('a'), op.int(3))), 'ok.pth') as Map<string, number>;
    expect([...m]).toEqual([['a', 3], ['b', 2]]);
    const t = unpickle(pickle(op.global('collections', 'OrderedDict'), tup(tup(op.str('x'), op.none)), op.tuple1, op.reduce), 'ok.pth') as Map<string, unknown>;
    expect([...t]).toEqual([['x', null]]);
  });
  it('reads a zero-size tensor (shape [0]) from an empty storage, as PyTorch does', () => {
    const empty = pickle(op.dict, op.str('w'), op.global('torch._utils', '_rebuild_tensor'), op.mark, storage(op.int(0)), op.int(0), tup(op.int(0)), tup(op.int(1)), op.tuple, op.reduce, op.setitem);
    expect((unpickle(empty, 'ok.pth') as Map<string, { shape: number[] }>).get('w')!.shape).toEqual([0]);
  });
  it('appends 200 000 values in one APPENDS without a call-stack overflow', () => {
    const items = Array.from({ length: 200_000 }, () => [0x4b, 1]).flat();
    expect((unpickle(pickle(op.list, op.mark, items, op.appends), 'big.pth') as number[]).length).toBe(200_000);
  });
});

/**
 * src/io/webm_muxer.ts: real VP8 and VP9 clips made by ffmpeg (IVF, parsed here) muxed into WebM,
 * then checked by ffprobe (codec, size, packets, pts, key flags, duration) and by decoding with
 * ffmpeg (bit-identical to decoding the IVF); the EBML read back with a small strict reader here
 * (clusters split at key frames and before int16 relative time overflows, cues, seek head); the
 * error messages. The ffmpeg cases are skipped, saying so, where ffmpeg is not on PATH.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sizeBytes } from '../src/io/ebml.js';
import { WebmMuxer, type WebmTrack } from '../src/io/webm_muxer.js';

// ---- a strict, bounded EBML reader ---------------------------------------------------------

interface El {
  id: number;
  at: number; // offset of the element's first byte
  dataAt: number;
  size: number;
  kids: El[];
}

const MASTERS = new Set([0x1a45dfa3, 0x18538067, 0x114d9b74, 0x4dbb, 0x1549a966, 0x1654ae6b, 0xae, 0xe0,
  0x1f43b675, 0x1c53bb6b, 0xbb, 0xb7]);

function vint(b: Uint8Array, at: number, keepMarker: boolean): { v: number; n: number } {
  const first = b[at];
  if (first === undefined || first === 0) throw new Error(`bad vint at ${at}`);
  const n = Math.clz32(first) - 23; // leading zeros within the byte, plus one
  if (n > 8 || at + n > b.length) throw new Error(`vint at ${at} runs past the end`);
  let v = keepMarker ? first : first & (0xff >> n);
  for (let i = 1; i < n; i++) v = v * 256 + b[at + i];
  if (!keepMarker && v === 2 ** (7 * n) - 1) throw new Error(`unknown size at ${at}`);
  return { v, n };
}

/** Elements in [from, to): every child must exactly fill its parent; at most 100 000 elements. */
function parse(b: Uint8Array, from = 0, to = b.length, budget = { left: 100_000 }, depth = 0): El[] {
  const out: El[] = [];
  for (let at = from; at < to;) {
    if (--budget.left < 0 || depth > 8) throw new Error('too many elements or too deep');
    const id = vint(b, at, true), size = vint(b, at + id.n, false);
    const dataAt = at + id.n + size.n;
    if (dataAt + size.v > to) throw new Error(`element 0x${id.v.toString(16)} at ${at} overruns its parent`);
    const kids = MASTERS.has(id.v) ? parse(b, dataAt, dataAt + size.v, budget, depth + 1) : [];
    out.push({ id: id.v, at, dataAt, size: size.v, kids });
    at = dataAt + size.v;
  }
  return out;
}

const all = (els: El[], id: number): El[] => els.filter((e) => e.id === id);
const one = (els: El[], id: number): El => {
  const found = all(els, id);
  if (found.length !== 1) throw new Error(`expected one 0x${id.toString(16)}, found ${found.length}`);
  return found[0];
};
function uint(b: Uint8Array, e: El): number {
  let v = 0;
  for (let i = 0; i < e.size; i++) v = v * 256 + b[e.dataAt + i];
  return v;
}

interface Block { ms: number; key: boolean; bytes: Uint8Array }
interface Parsed { segment: El; clusters: { ms: number; at: number; blocks: Block[] }[]; cues: { ms: number; pos: number }[] }

/** The file's clusters, their blocks (absolute times), and its cues. */
function read(b: Uint8Array): Parsed {
  const top = parse(b);
  expect(top.map((e) => e.id)).toEqual([0x1a45dfa3, 0x18538067]);
  const segment = top[1];
  const clusters = all(segment.kids, 0x1f43b675).map((c) => {
    const ms = uint(b, one(c.kids, 0xe7));
    const blocks = all(c.kids, 0xa3).map((s) => {
      expect(b[s.dataAt]).toBe(0x81); // track 1
      const rel = new DataView(b.buffer, b.byteOffset + s.dataAt + 1, 2).getInt16(0);
      return { ms: ms + rel, key: (b[s.dataAt + 3] & 0x80) !== 0, bytes: b.subarray(s.dataAt + 4, s.dataAt + s.size) };
    });
    return { ms, at: c.at - segment.dataAt, blocks };
  });
  const cues = one(segment.kids, 0x1c53bb6b).kids.map((p) => {
    const pos = one(p.kids, 0xb7);
    expect(uint(b, one(pos.kids, 0xf7))).toBe(1);
    return { ms: uint(b, one(p.kids, 0xb3)), pos: uint(b, one(pos.kids, 0xf1)) };
  });
  return { segment, clusters, cues };
}

// ---- ffmpeg, IVF ---------------------------------------------------------------------------

const haveFfmpeg = ['ffmpeg', 'ffprobe'].every((c) => spawnSync(c, ['-version']).status === 0);
const SKIP_NOTE = haveFfmpeg ? '' : ' — SKIPPED: ffmpeg/ffprobe not found on PATH (tools/setup.sh installs them)';
if (!haveFfmpeg) console.warn(`webm_muxer.test.ts${SKIP_NOTE}`);

function run(cmd: string, args: string[]): Buffer {
  const r = spawnSync(cmd, ['-v', 'error', ...args], { maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

interface IvfFrame { data: Uint8Array; us: number; key: boolean }

/** IVF: a 32-byte header (fourcc at 8, time base rate/scale at 16/20), then per frame 12 bytes (size, 64-bit pts) and the frame. */
function readIvf(b: Uint8Array): { fourcc: string; frames: IvfFrame[] } {
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  expect(String.fromCharCode(...b.subarray(0, 4))).toBe('DKIF');
  const fourcc = String.fromCharCode(...b.subarray(8, 12));
  const rate = dv.getUint32(16, true), scale = dv.getUint32(20, true);
  const frames: IvfFrame[] = [];
  for (let at = dv.getUint16(6, true); at < b.length;) {
    const size = dv.getUint32(at, true), pts = Number(dv.getBigUint64(at + 4, true));
    const data = b.slice(at + 12, at + 12 + size);
    frames.push({ data, us: Math.round((pts * scale * 1e6) / rate), key: isKey(fourcc, data) });
    at += 12 + size;
  }
  return { fourcc, frames };
}

function isKey(fourcc: string, d: Uint8Array): boolean {
  if (fourcc === 'VP80') return (d[0] & 1) === 0; // frame tag: bit 0 is 0 for key frames
  // VP9 uncompressed header, MSB first: frame_marker(2) profile_low profile_high [reserved_zero
  // if profile 3] show_existing_frame frame_type (0 = KEY_FRAME)
  let bit = 2;
  const next = (): number => (d[0] >> (7 - bit++)) & 1;
  const profile = next() | (next() << 1);
  if (profile === 3) next();
  if (next()) return false; // show_existing_frame
  return next() === 0;
}

let dir = '';
const clips: Record<string, { frames: IvfFrame[]; raw: Buffer; ivf: string }> = {};
const FRAME_BYTES = 96 * 64 * 1.5; // yuv420p

const decode = (file: string): Buffer =>
  run('ffmpeg', ['-i', file, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-']);

function probe(file: string): { stream: Record<string, unknown>; duration: number; packets: { pts: number; key: boolean }[] } {
  const j = JSON.parse(run('ffprobe', ['-show_streams', '-show_format', '-show_packets', '-of', 'json', file]).toString());
  const packets = (j.packets as { pts: number; flags: string }[]).map((p) => ({ pts: p.pts, key: p.flags[0] === 'K' }));
  return { stream: j.streams[0], duration: Number(j.format.duration), packets };
}

function mux(track: WebmTrack, frames: { data: Uint8Array; us: number; key: boolean }[], name: string): { file: string; bytes: Uint8Array } {
  const m = new WebmMuxer(track);
  for (const f of frames) m.addFrame(f.data, f.us, f.key);
  const bytes = m.finish();
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return { file, bytes };
}

describe(`WebM from real VP8/VP9 frames, checked by ffprobe and ffmpeg${SKIP_NOTE}`, () => {
  beforeAll(() => {
    if (!haveFfmpeg) return;
    dir = mkdtempSync(join(tmpdir(), 'webm-muxer-'));
    for (const [name, enc] of [['vp8', 'libvpx'], ['vp9', 'libvpx-vp9']]) {
      const ivf = join(dir, `${name}.ivf`);
      run('ffmpeg', ['-f', 'lavfi', '-i', 'testsrc=size=96x64:rate=12', '-frames:v', '30', '-c:v', enc, '-g', '8', '-f', 'ivf', ivf]);
      clips[name] = { frames: readIvf(new Uint8Array(readFileSync(ivf))).frames, raw: decode(ivf), ivf };
    }
  });
  afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  for (const [name, codec] of [['vp8', 'V_VP8'], ['vp9', 'V_VP9']] as const) {
    it.skipIf(!haveFfmpeg)(`${name}: 30 frames at 12 fps — codec, size, pts, key flags, duration, decoded bit-identically`, () => {
      const { frames, raw, ivf } = clips[name];
      expect(frames.length).toBe(30);
      // our key-frame reading agrees with ffprobe's on the IVF, and the clip has key frames every 8
      expect(frames.map((f) => f.key)).toEqual(probe(ivf).packets.map((p) => p.key));
      expect(frames.flatMap((f, i) => (f.key ? [i] : []))).toEqual([0, 8, 16, 24]);
      const { file, bytes } = mux({ codec, width: 96, height: 64, frameRate: 12 }, frames, `${name}.webm`);
      const p = probe(file);
      expect(p.stream.codec_name).toBe(name);
      expect([p.stream.width, p.stream.height]).toEqual([96, 64]);
      expect(p.packets.map((q) => q.pts)).toEqual(frames.map((f) => Math.round(f.us / 1000)));
      expect(p.packets.map((q) => q.key)).toEqual(frames.map((f) => f.key));
      expect(p.duration).toBeCloseTo(2.5, 6);
      const back = read(bytes);
      expect(back.clusters.map((c) => c.ms)).toEqual([0, 667, 1333, 2000]);
      expect(back.cues).toEqual(back.clusters.map((c) => ({ ms: c.ms, pos: c.at })));
      expect(raw.length).toBe(30 * FRAME_BYTES);
      expect(decode(file).equals(raw)).toBe(true);
    });
  }

  it.skipIf(!haveFfmpeg)('irregular timestamps 0, 40, 120, 130 ms: pts as given, duration 140 ms, same pictures', () => {
    const ms = [0, 40, 120, 130];
    const frames = clips.vp8.frames.slice(0, 4).map((f, i) => ({ ...f, us: ms[i] * 1000 }));
    const p = probe(mux({ codec: 'V_VP8', width: 96, height: 64 }, frames, 'irregular.webm').file);
    expect(p.packets.map((q) => q.pts)).toEqual(ms);
    expect(p.duration).toBeCloseTo(0.14, 6);
    expect(decode(join(dir, 'irregular.webm')).equals(clips.vp8.raw.subarray(0, 4 * FRAME_BYTES))).toBe(true);
  });

  it.skipIf(!haveFfmpeg)('a 70 s clip with one key frame splits where int16 relative time would overflow', () => {
    // frames 0–7 (one key frame, 7 inter frames) 10 s apart: 40 s is past 32.767 s from 0
    const frames = clips.vp8.frames.slice(0, 8).map((f, i) => ({ ...f, us: i * 10_000_000 }));
    const { file, bytes } = mux({ codec: 'V_VP8', width: 96, height: 64 }, frames, 'long.webm');
    const back = read(bytes);
    expect(back.clusters.map((c) => [c.ms, c.blocks.length])).toEqual([[0, 4], [40_000, 4]]);
    expect(back.cues).toEqual([{ ms: 0, pos: back.clusters[0].at }]);
    const p = probe(file);
    expect(p.packets.map((q) => q.pts)).toEqual(frames.map((_, i) => i * 10_000));
    expect(p.duration).toBeCloseTo(80, 6);
    expect(decode(file).equals(clips.vp8.raw.subarray(0, 8 * FRAME_BYTES))).toBe(true);
  });
});

// ---- without ffmpeg ------------------------------------------------------------------------

const fake = (i: number, n = 3): Uint8Array => Uint8Array.from({ length: n }, (_, k) => (i * 7 + k) & 255);
const TRACK: WebmTrack = { codec: 'V_VP9', width: 320, height: 240 };

function muxFake(times: number[], keys: number[], sizes: (i: number) => number = () => 3): Uint8Array {
  const m = new WebmMuxer(TRACK);
  times.forEach((ms, i) => m.addFrame(fake(i, sizes(i)), ms * 1000, keys.includes(i)));
  return m.finish();
}

describe('WebM structure read back', () => {
  it('70 s at 2 fps with key frames at 0 and 10 s: clusters at 0, 10 s and 43 s, every block where it belongs', () => {
    const times = Array.from({ length: 141 }, (_, i) => i * 500);
    const bytes = muxFake(times, [0, 20]);
    const { segment, clusters, cues } = read(bytes);
    expect(clusters.map((c) => c.ms)).toEqual([0, 10_000, 43_000]);
    const blocks = clusters.flatMap((c) => c.blocks);
    expect(blocks.map((b) => b.ms)).toEqual(times);
    expect(blocks.flatMap((b, i) => (b.key ? [i] : []))).toEqual([0, 20]);
    blocks.forEach((b, i) => expect(Array.from(b.bytes)).toEqual(Array.from(fake(i))));
    for (const c of clusters) expect(c.blocks.every((b) => b.ms - c.ms <= 32767)).toBe(true);
    expect(cues).toEqual([{ ms: 0, pos: clusters[0].at }, { ms: 10_000, pos: clusters[1].at }]);
    // the seek head points at Info, Tracks and Cues
    const seeks = one(segment.kids, 0x114d9b74).kids.map((s) => {
      const idEl = one(s.kids, 0x53ab);
      return [uint(bytes, idEl), uint(bytes, one(s.kids, 0x53ac))];
    });
    expect(seeks).toEqual([0x1549a966, 0x1654ae6b, 0x1c53bb6b].map((id) => [id, one(segment.kids, id).at - segment.dataAt]));
    const info = one(segment.kids, 0x1549a966);
    expect(uint(bytes, one(info.kids, 0x2ad7b1))).toBe(1_000_000);
    const dur = one(info.kids, 0x4489);
    expect(new DataView(bytes.buffer, bytes.byteOffset + dur.dataAt, 8).getFloat64(0)).toBe(70_500);
  });

  it('the int16 edge: 32 767 ms after the cluster stays in it, 32 768 ms starts a new one', () => {
    expect(read(muxFake([0, 32_767], [0])).clusters.map((c) => c.blocks.length)).toEqual([2]);
    expect(read(muxFake([0, 32_768], [0])).clusters.map((c) => c.ms)).toEqual([0, 32_768]);
    expect(read(muxFake([0, 1, 32_768, 65_536], [0])).clusters.map((c) => c.ms)).toEqual([0, 32_768, 65_536]);
  });

  it('sizes: 126 in one byte, 127 (all ones is "unknown") in two; frames of 1 to 70 000 bytes read back whole', () => {
    expect(Array.from(sizeBytes(126))).toEqual([0xfe]);
    expect(Array.from(sizeBytes(127))).toEqual([0x40, 0x7f]);
    expect(Array.from(sizeBytes(16382))).toEqual([0x7f, 0xfe]);
    expect(Array.from(sizeBytes(16383))).toEqual([0x20, 0x3f, 0xff]);
    const sizes = [1, 122, 123, 124, 16378, 16379, 70_000];
    const blocks = read(muxFake(sizes.map((_, i) => i * 40), [0], (i) => sizes[i])).clusters.flatMap((c) => c.blocks);
    expect(blocks.map((b) => b.bytes.length)).toEqual(sizes);
    blocks.forEach((b, i) => expect(b.bytes).toEqual(fake(i, sizes[i])));
  });

  it('sub-millisecond timestamps round to the nearest millisecond; the first frame may start late', () => {
    const m = new WebmMuxer({ ...TRACK, frameRate: 30 });
    [5_000_400, 5_033_333, 5_066_667].forEach((us, i) => m.addFrame(fake(i), us, i === 0));
    const { clusters } = read(m.finish());
    expect(clusters[0].ms).toBe(5000);
    expect(clusters[0].blocks.map((b) => b.ms)).toEqual([5000, 5033, 5067]);
  });
});

describe('WebmMuxer errors', () => {
  const err = (f: () => unknown): string => {
    try { f(); } catch (e) { return (e as Error).message; }
    return 'no error';
  };
  it('bad tracks', () => {
    for (const [w, h] of [[0, 10], [10, -4], [1.5, 10], [10, NaN]]) {
      expect(err(() => new WebmMuxer({ ...TRACK, width: w, height: h }))).toMatch(/^webm: (width|height) must be a positive integer, not /);
    }
    expect(err(() => new WebmMuxer({ ...TRACK, frameRate: 0 }))).toBe('webm: frameRate must be a positive number, not 0');
    expect(err(() => new WebmMuxer({ ...TRACK, codec: 'V_AV1' as 'V_VP9' }))).toBe(`webm: codec must be 'V_VP8' or 'V_VP9', not "V_AV1"`);
  });
  it('bad frames and order', () => {
    const m = new WebmMuxer(TRACK);
    expect(err(() => m.addFrame(fake(0), 0, false))).toBe('webm: the first frame must be a key frame');
    expect(err(() => m.addFrame(new Uint8Array(0), 0, true))).toBe('webm: a frame needs at least one byte of data');
    expect(err(() => m.addFrame(fake(0), -1, true))).toBe('webm: timestamp -1 µs is not a finite non-negative number');
    expect(err(() => m.finish())).toBe('webm: no frames to write');
    m.addFrame(fake(0), 1000, true);
    m.addFrame(fake(1), 1000, false); // equal timestamps are allowed
    expect(err(() => m.addFrame(fake(2), 999, false))).toBe("webm: timestamp 999 µs is before the previous frame's 1000 µs");
    m.finish();
    expect(err(() => m.addFrame(fake(3), 2000, true))).toBe('webm: addFrame after finish()');
    expect(err(() => m.finish())).toBe('webm: finish() called twice');
  });
});

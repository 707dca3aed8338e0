/**
 * A small zip reader for torch.save archives: the central directory (zip64 included), local
 * headers and stored (uncompressed) entries, every offset checked against the bytes at hand.
 */
import { WeightsError } from '../model/weights.js';

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

/** Weight files on disk: our raw format (NAME.json + NAME.bin) or a torchvision VGG19 .pth (converted on the fly). */
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseRawWeights, toRawWeights } from '../../src/nst/weights.js';
import { convertVgg19Pth } from '../../src/nst/torch_pth.js';

export interface RawWeightsFiles {
  name: string;
  manifest: string;
  bin: Uint8Array;
}

export function loadWeightsFile(path: string): RawWeightsFiles {
  if (!existsSync(path)) throw new Error(`weights file "${path}" does not exist (use --weights random, a .json manifest or a torchvision .pth)`);
  if (path.endsWith('.pth') || path.endsWith('.pt')) {
    const w = convertVgg19Pth(new Uint8Array(readFileSync(path)), basename(path));
    const raw = toRawWeights(w);
    return { name: basename(path), ...raw };
  }
  if (!path.endsWith('.json')) throw new Error(`weights file "${path}": expected our raw manifest (.json, with a .bin beside it) or a torchvision .pth`);
  const binPath = path.replace(/\.json$/, '.bin');
  if (!existsSync(binPath)) throw new Error(`weights file "${binPath}" (the data for ${path}) does not exist`);
  const manifest = readFileSync(path, 'utf8');
  const bin = new Uint8Array(readFileSync(binPath));
  // validate here too, so errors appear before a browser starts
  parseRawWeights(manifest, bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), path.replace(/\.json$/, ''));
  return { name: basename(path), manifest, bin };
}

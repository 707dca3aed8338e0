/**
 * Pretrained weights for those who bring them: a torch .pth (zip or the 2017 legacy format) or a
 * .safetensors file, by URL (HTTP Range: only the tensors the layers need are fetched), as a Blob
 * or File, as bytes, or in Node as a file path; and our raw format (manifest + .bin). Parsers
 * refuse bad files by rule (src/io/); errors name the file.
 */
import { BlobSource, HttpSource, type ByteSource } from '../io/byte_source.js';
import { loadPretrained } from '../io/pretrained.js';
import { parseRawWeights } from '../io/raw_weights.js';
import { NETWORK_IDS, networkSpec, type NetworkId } from '../model/networks.js';
import type { NetworkWeights } from '../model/weights.js';
import { OptionError } from './errors.js';
import { importAtRuntime, isNode } from './runtime.js';

export interface LoadWeightsOptions {
  /** Which network the file holds (default vgg19). */
  network?: NetworkId;
  /** The deepest layer needed (default: the network's last): fewer bytes fetched for shallower jobs. */
  upTo?: string;
  /** For a URL: abort the download. */
  signal?: AbortSignal;
  /** Told the bytes and requests a download will take, before it starts. */
  onPlan?: (plan: { format: string; bytes: number; requests: number }) => void;
}

/** Bytes held in memory as a ByteSource. */
class BytesSource implements ByteSource {
  readonly sequentialOnly = false;
  readonly local = true;
  readonly size: number;
  constructor(private bytes: Uint8Array, readonly name: string) {
    this.size = bytes.length;
  }
  async read(start: number, end: number): Promise<Uint8Array> {
    return this.bytes.subarray(start, Math.min(end, this.size));
  }
  async readTail(n: number): Promise<{ bytes: Uint8Array; start: number }> {
    const start = Math.max(0, this.size - n);
    return { bytes: this.bytes.subarray(start), start };
  }
}

/** A file on disk (Node), read at positions. */
async function nodeFileSource(path: string): Promise<ByteSource> {
  type Handle = { read(b: Uint8Array, o: number, n: number, p: number): Promise<{ bytesRead: number }>; stat(): Promise<{ size: number; isFile(): boolean }> };
  const fs = await importAtRuntime<{ open(path: string, flags: string): Promise<Handle> }>('node:fs/promises');
  let handle: Handle;
  try {
    handle = await fs.open(path, 'r');
  } catch (e) {
    throw new OptionError('source', `cannot open ${path}: ${(e as Error).message}`);
  }
  const stat = await handle.stat();
  if (!stat.isFile()) throw new OptionError('source', `${path} is not a file`);
  const read = async (start: number, end: number) => {
    const out = new Uint8Array(Math.max(0, Math.min(end, stat.size) - start));
    let got = 0;
    while (got < out.length) {
      const r = await handle.read(out, got, out.length - got, start + got);
      if (r.bytesRead === 0) break;
      got += r.bytesRead;
    }
    return out.subarray(0, got);
  };
  const name = path.split(/[\\/]/).pop() ?? path;
  return { name, size: stat.size, sequentialOnly: false, local: true, read, readTail: async (n) => ({ bytes: await read(Math.max(0, stat.size - n), stat.size), start: Math.max(0, stat.size - n) }) };
}

/**
 * Pretrained weights from a URL, a Blob/File, bytes, or (Node) a file path: torch .pth or
 * .safetensors holding torchvision's layer names (VGG19 `features.N.weight`, SqueezeNet 1.1), or
 * the names other popular conversions use (see docs/cli.md, --weights).
 */
export async function loadWeights(source: string | URL | Blob | ArrayBuffer | Uint8Array, o: LoadWeightsOptions = {}): Promise<NetworkWeights> {
  const network = o.network ?? 'vgg19';
  if (!NETWORK_IDS.includes(network)) throw new OptionError('network', `must be ${NETWORK_IDS.join(' or ')}, got ${JSON.stringify(network)}`);
  const spec = networkSpec(network);
  const upTo = o.upTo ?? spec.layerNames[spec.layerNames.length - 1];
  let src: ByteSource;
  if (source instanceof URL || (typeof source === 'string' && /^(https?|blob|data):/i.test(source))) src = new HttpSource(String(source), { signal: o.signal });
  else if (typeof source === 'string') {
    if (!isNode()) throw new OptionError('source', `"${source}" is not an http(s) URL (file paths are read in Node only)`);
    src = await nodeFileSource(source);
  } else if (typeof Blob !== 'undefined' && source instanceof Blob) src = new BlobSource(source, (source as File).name ?? 'weights blob');
  else if (source instanceof ArrayBuffer || source instanceof Uint8Array) src = new BytesSource(source instanceof Uint8Array ? source : new Uint8Array(source), 'weights bytes');
  else throw new OptionError('source', 'must be a URL, a file path (Node), a Blob or File, or bytes (ArrayBuffer, Uint8Array)');
  const { format: _format, ...weights } = await loadPretrained(src, upTo, o.onPlan, network);
  return weights;
}

/** Weights in our raw format: the manifest's JSON text and the .bin's bytes (tools/weights.ts writes them). */
export function weightsFromRaw(manifest: string, bin: ArrayBuffer, name = 'weights', network?: NetworkId): NetworkWeights {
  return parseRawWeights(manifest, bin, name, network);
}

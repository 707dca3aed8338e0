/**
 * The engine in Node through Dawn (the `webgpu` package) on the adapter dawn_adapters.ts found,
 * in this process, with the images decoded by sharp (node_decode.ts: libvips, the same pixels as the page's
 * decoding: oriented, sRGB, over white, resized by resample.ts). Where sharp cannot load, PNG only,
 * through pngjs. Loaded by openEngine (dawn_engine.ts) once the .wgsl module hook is registered.
 */
import type { Picture } from '../../src/io/decode.js';
import { createGpuContext } from '../../src/kernels/context.js';
import { KernelLibrary } from '../../src/kernels/library.js';
import { resizeImage } from '../../src/io/resample.js';
import { decodePngOverWhite } from './png.js';
import type { DawnAdapter } from './dawn_adapters.js';
import { createEngineApi, type EngineApi } from './engine_api.js';
import { Engine, readInputFile } from './engine_session.js';
import type { ResolvedWeights } from './weights_files.js';
import type { WeightsSource } from '../../src/job/prepare.js';
import { basename, extname } from 'node:path';
import { decodeFile, loadSharp } from './node_decode.js';
import { TuningDir } from './tuning_store.js';

/**
 * The engine in this process: images are file paths, decoded by sharp when a job reads them;
 * weights are resolved in Node and handed over as they are. Nothing is staged or encoded.
 */
export class DawnEngine extends Engine {
  private readonly api: EngineApi<string, WeightsSource>;

  private constructor(
    /** Held for the whole run: Dawn stops delivering GPU events once its instance is collected. */
    readonly found: DawnAdapter,
    private readonly lib: KernelLibrary,
  ) {
    super();
    this.api = createEngineApi<string, WeightsSource>({
      library: async () => lib,
      image: (path, what) => this.picture(path, what),
      weights: async (w) => w,
      store: new TuningDir(),
      progress: (p) => this.onProgress(p),
      snapshot: (step, img) => this.onSnapshot(step, img.width, img.height, img.data as Uint8Array),
    });
  }

  static async open(found: DawnAdapter): Promise<DawnEngine> {
    const lib = new KernelLibrary(await createGpuContext({ gpu: found.gpu }));
    return new DawnEngine(found, lib);
  }

  protected imageRef(path: string): string {
    return path;
  }

  protected weightsRef(w: ResolvedWeights): WeightsSource {
    if (w.kind === 'random') return w;
    return { kind: 'raw', name: w.name, manifest: w.manifest, bin: w.bin.buffer.slice(w.bin.byteOffset, w.bin.byteOffset + w.bin.byteLength) as ArrayBuffer };
  }

  private async picture(path: string, what: string): Promise<Picture> {
    // `what` is "content image NAME": the file's label for readInputFile's messages is without its name
    const bytes = readInputFile(path, what.endsWith(` ${basename(path)}`) ? what.slice(0, -basename(path).length - 1) : what);
    const sharp = await loadSharp();
    if (typeof sharp === 'string') return this.pngPicture(bytes, path, what, sharp);
    return decodeFile(bytes, what);
  }

  /** Where sharp cannot load: PNG through pngjs, resized as everywhere (resample.ts). */
  private pngWarned = false;
  private pngPicture(bytes: Uint8Array, path: string, what: string, why: string): Picture {
    if (extname(path).toLowerCase() !== '.png') throw new Error(`${what}: only PNG images can be read here (${why})`);
    if (!this.pngWarned) process.stderr.write(`note: ${why}; PNG images are decoded with pngjs, JPEG, WebP and GIF cannot be read\n`);
    this.pngWarned = true;
    const image = decodePngOverWhite(bytes, what);
    return { width: image.width, height: image.height, rasterize: async (w, h) => resizeImage(image, w, h) };
  }

  protected call<K extends keyof EngineApi>(method: K, arg: Parameters<EngineApi[K]>[0]): Promise<Awaited<ReturnType<EngineApi[K]>>> {
    return (this.api[method] as (a: unknown) => Promise<Awaited<ReturnType<EngineApi[K]>>>)(arg);
  }

  async close(): Promise<void> {
    this.lib.destroy();
  }
}

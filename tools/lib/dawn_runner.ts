/**
 * The engine in Node through Dawn (the `webgpu` package) on the adapter dawn_adapters.ts found,
 * with the images decoded by sharp (node_decode.ts: libvips, the same pixels as the page's
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
import { Engine, type Files } from './engine_session.js';
import { decodeFile, loadSharp } from './node_decode.js';
import { TuningDir } from './tuning_store.js';

export class DawnEngine extends Engine {
  private readonly api: EngineApi;

  private constructor(
    files: Files,
    /** Held for the whole run: Dawn stops delivering GPU events once its instance is collected. */
    readonly found: DawnAdapter,
    private readonly lib: KernelLibrary,
    private readonly verbose: boolean,
  ) {
    super(files);
    this.api = createEngineApi({
      library: async () => lib,
      fetchBlob: async (url, what) => {
        const f = this.files[url];
        if (!f) throw new Error(`${what}: not staged`);
        return new Blob([f.body as BlobPart], { type: f.type });
      },
      picture: (url, what) => this.picture(url, what),
      store: new TuningDir(),
      progress: (p) => this.onProgress(p),
      snapshot: (step, w, h, rgba) => this.onSnapshot(step, w, h, rgba),
    });
  }

  static async open(found: DawnAdapter, verbose = false): Promise<DawnEngine> {
    const lib = new KernelLibrary(await createGpuContext({ gpu: found.gpu }));
    return new DawnEngine({}, found, lib, verbose);
  }

  private async picture(url: string, what: string): Promise<Picture> {
    const f = this.files[url];
    if (!f) throw new Error(`${what}: not staged`);
    const bytes = typeof f.body === 'string' ? new TextEncoder().encode(f.body) : f.body;
    const sharp = await loadSharp();
    if (typeof sharp === 'string') return this.pngPicture(bytes, f.type, what, sharp);
    return decodeFile(bytes, what);
  }

  /** Where sharp cannot load: PNG through pngjs, resized as everywhere (resample.ts). */
  private pngWarned = false;
  private pngPicture(bytes: Uint8Array, type: string, what: string, why: string): Picture {
    if (type !== 'image/png') throw new Error(`${what}: only PNG images can be read here (${why})`);
    if (!this.pngWarned) process.stderr.write(`note: ${why}; PNG images are decoded with pngjs, JPEG, WebP and GIF cannot be read\n`);
    this.pngWarned = true;
    const image = decodePngOverWhite(bytes, what);
    return { width: image.width, height: image.height, rasterize: async (w, h) => resizeImage(image, w, h) };
  }

  protected call<K extends keyof EngineApi>(method: K, arg: Parameters<EngineApi[K]>[0]): ReturnType<EngineApi[K]> {
    return (this.api[method] as (a: unknown) => ReturnType<EngineApi[K]>)(arg);
  }

  async close(): Promise<void> {
    this.lib.destroy();
  }
}


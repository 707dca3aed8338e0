/**
 * The engine in Node through Dawn (the `webgpu` package) on the adapter dawn_adapters.ts found,
 * with the images decoded in a headless page without WebGPU (decode_page.ts: the browser's
 * decoders, so every format and case that works in the page works here, with the same pixels).
 * Loaded by openEngine (dawn_engine.ts) once the .wgsl module hook is registered.
 */
import { fileURLToPath } from 'node:url';
import type { Picture } from '../../src/io/decode.js';
import { createGpuContext } from '../../src/kernels/context.js';
import { KernelLibrary } from '../../src/kernels/library.js';
import { chromiumPath, launchGpuPage, type BrowserSession } from './browser.js';
import { resizeImage } from '../../src/io/resample.js';
import { decodePngOverWhite } from './png.js';
import { bundleForBrowser } from './bundle.js';
import type { DawnAdapter } from './dawn_adapters.js';
import type { DecodeApi } from './decode_page.js';
import { createEngineApi, type EngineApi } from './engine_api.js';
import { Engine, type Files } from './engine_session.js';
import { TuningDir } from './tuning_store.js';

type Decoder = { nstDecode: DecodeApi };

function hasChromium(): boolean {
  try {
    chromiumPath();
    return true;
  } catch {
    return false;
  }
}

export class DawnEngine extends Engine {
  private decoder: Promise<BrowserSession> | null = null;
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

  /** The decoding page, started at the first image (about a second). */
  private decoderPage(): Promise<BrowserSession> {
    this.decoder ??= bundleForBrowser(fileURLToPath(new URL('./decode_page.ts', import.meta.url))).then((script) =>
      launchGpuPage({ script, files: this.files, webgpu: false, onConsole: (t) => this.verbose && process.stderr.write(`[decoder] ${t}\n`) }),
    );
    return this.decoder;
  }

  private async picture(url: string, what: string): Promise<Picture> {
    if (!hasChromium()) return this.pngPicture(url, what);
    const page = (await this.decoderPage()).page;
    const { id, width, height } = await page.evaluate((u, w) => (globalThis as unknown as Decoder).nstDecode.open(u, w), url, what);
    return {
      width,
      height,
      rasterize: async (w, h) => {
        const b64 = await page.evaluate((i, ww, hh) => (globalThis as unknown as Decoder).nstDecode.rasterize(i, ww, hh), id, w, h);
        return { width: w, height: h, data: new Uint8Array(Buffer.from(b64, 'base64')) };
      },
    };
  }

  /** Without a browser (a GPU machine with a Vulkan driver only): PNG through pngjs, resized as everywhere (resample.ts). */
  private pngWarned = false;
  private pngPicture(url: string, what: string): Picture {
    const f = this.files[url];
    if (f.type !== 'image/png') throw new Error(`${what}: without Chromium only PNG images can be read (install chromium, or set CHROME, for JPEG and WebP)`);
    if (!this.pngWarned) process.stderr.write('note: no Chromium here: PNG images are decoded with pngjs (JPEG and WebP need Chromium)\n');
    this.pngWarned = true;
    const image = decodePngOverWhite(f.body as Uint8Array, what);
    return { width: image.width, height: image.height, rasterize: async (w, h) => resizeImage(image, w, h) };
  }

  protected call<K extends keyof EngineApi>(method: K, arg: Parameters<EngineApi[K]>[0]): ReturnType<EngineApi[K]> {
    return (this.api[method] as (a: unknown) => ReturnType<EngineApi[K]>)(arg);
  }

  async close(): Promise<void> {
    this.lib.destroy();
    if (this.decoder) await (await this.decoder).close();
  }
}


/**
 * The CLI's image decoding in Node (tools/lib/node_decode.ts: sharp/libvips) gives the pixels the
 * page's decoding gives (decode_page.ts in headless Chromium: createImageBitmap, drawn over white,
 * resized by resample.ts), at the sizes the CLI asks for: the committable example photos, an
 * EXIF-rotated JPEG, a PNG with graded alpha, a lossless WebP, a GIF and a JPEG with a Display P3
 * profile. Lossless formats bit for bit; JPEG within a bound (see JPEG_MAX). Where Chromium is
 * missing, one line says so and the comparison is skipped; the error cases run anyway.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitSize } from '../src/io/decode.js';
import { chromiumPath, launchGpuPage, type BrowserSession } from '../tools/lib/browser.js';
import { bundleForBrowser } from '../tools/lib/bundle.js';
import type { DecodeApi } from '../tools/lib/decode_page.js';
import { decodeFile, MAX_IMAGE_PIXELS } from '../tools/lib/node_decode.js';

let noChromium: string | null = null;
try {
  chromiumPath();
} catch (e) {
  noChromium = (e as Error).message.split('\n')[0];
  console.log(`node_decode: the comparison with Chromium is skipped: ${noChromium}`);
}

const EXAMPLES = '../shared/examples';
const COMMITTABLE = ['chelsea.png', 'coffee.png', 'astronaut.png', 'rocket.jpg', 'hubble_deep_field.jpg', 'starry_night.jpg', 'the_scream.jpg', 'shipwreck.jpg'];
/** Longer sides the CLI draws at (its defaults and the coarse-to-fine steps), and the image's own size (0). */
const SIDES = [0, 512, 256, 128, 64];

/**
 * JPEG: libvips decodes with mozjpeg (libjpeg-turbo's integer IDCT and "fancy" chroma upsampling),
 * Chromium with libjpeg-turbo, the same arithmetic: on the eight examples the decoded samples agree
 * bit for bit except where an embedded ICC profile is applied (rocket.jpg, the Display P3 file),
 * where lcms2 (libvips) and skcms (Chromium) round the colour transform differently by one level
 * (measured: max 1, mean 0.034 on rocket.jpg, 0.010 on the P3 file, over all sizes; the table
 * this test prints). The bound leaves one level more for a decoder build with another IDCT or
 * SIMD path; skipping the rotation or the compositing moves pixels by ~100 levels.
 */
const JPEG_MAX = 2;
const JPEG_MEAN = 0.1;

interface Case {
  name: string;
  body: Uint8Array;
  type: string;
  exact: boolean;
}

async function fixtures(): Promise<Case[]> {
  const cases: Case[] = COMMITTABLE.map((f) => ({ name: f, body: new Uint8Array(readFileSync(`${EXAMPLES}/${f}`)), type: f.endsWith('.png') ? 'image/png' : 'image/jpeg', exact: f.endsWith('.png') }));
  const rocket = readFileSync(`${EXAMPLES}/rocket.jpg`);
  // the same picture stored turned, with the EXIF tag that turns it back (6: rotate 90° clockwise to view)
  const turned = await sharp(rocket).rotate(270).jpeg({ quality: 92 }).withMetadata({ orientation: 6 }).toBuffer();
  cases.push({ name: 'rocket_exif6.jpg', body: new Uint8Array(turned), type: 'image/jpeg', exact: false });
  const mirrored = await sharp(rocket).flop().jpeg({ quality: 92 }).withMetadata({ orientation: 2 }).toBuffer();
  cases.push({ name: 'rocket_exif2.jpg', body: new Uint8Array(mirrored), type: 'image/jpeg', exact: false });
  // chelsea with alpha going from 0 (left) to 255 (right), and a fully transparent top band
  const chelsea = PNG.sync.read(readFileSync(`${EXAMPLES}/chelsea.png`));
  for (let y = 0; y < chelsea.height; y++) for (let x = 0; x < chelsea.width; x++) chelsea.data[4 * (y * chelsea.width + x) + 3] = y < 20 ? 0 : Math.round((255 * x) / (chelsea.width - 1));
  cases.push({ name: 'chelsea_alpha.png', body: new Uint8Array(PNG.sync.write(chelsea)), type: 'image/png', exact: true });
  const coffee = readFileSync(`${EXAMPLES}/coffee.png`);
  cases.push({ name: 'coffee_lossless.webp', body: new Uint8Array(await sharp(coffee).webp({ lossless: true }).toBuffer()), type: 'image/webp', exact: true });
  cases.push({ name: 'chelsea.gif', body: new Uint8Array(await sharp(`${EXAMPLES}/chelsea.png`).gif().toBuffer()), type: 'image/gif', exact: true });
  // pixels converted to Display P3 with the profile embedded: both decoders convert back to sRGB
  const p3 = await sharp(`${EXAMPLES}/astronaut.png`).withIccProfile('p3').jpeg({ quality: 95 }).toBuffer();
  cases.push({ name: 'astronaut_p3.jpg', body: new Uint8Array(p3), type: 'image/jpeg', exact: false });
  return cases;
}

const bytes = (b64: string) => Uint8Array.from(Buffer.from(b64, 'base64'));

describe.skipIf(!!noChromium)('sharp decodes as the page does', () => {
  let cases: Case[];
  let s: BrowserSession;
  beforeAll(async () => {
    cases = await fixtures();
    const script = await bundleForBrowser(fileURLToPath(new URL('../tools/lib/decode_page.ts', import.meta.url)));
    s = await launchGpuPage({ script, files: Object.fromEntries(cases.map((c) => [`/${c.name}`, { body: c.body, type: c.type }])), webgpu: false });
  }, 180_000);
  afterAll(async () => {
    await s?.close();
  });

  const rows: string[] = [];
  afterAll(() => console.log(`node_decode: sharp vs Chromium, per file over all sizes\n${rows.join('\n')}`));

  it('gives the same pixels at every size the CLI uses (lossless bit for bit, JPEG within the bound)', async () => {
    for (const c of cases) {
      const node = await decodeFile(c.body, c.name);
      const sizes = SIDES.map((side) => (side === 0 ? { width: node.width, height: node.height } : fitSize(node.width, node.height, side)));
      const page = await s.page.evaluate(
        async (url, sz) => {
          const api = (globalThis as unknown as { nstDecode: DecodeApi }).nstDecode;
          const { id, width, height } = await api.open(url, url);
          const out: string[] = [];
          for (const { width: w, height: h } of sz) out.push(await api.rasterize(id, w, h));
          return { width, height, out };
        },
        `/${c.name}`,
        sizes,
      );
      expect([node.width, node.height], c.name).toEqual([page.width, page.height]);
      let worst = 0, sum = 0, n = 0, worstFull = 0;
      for (let k = 0; k < sizes.length; k++) {
        const a = (await node.rasterize(sizes[k].width, sizes[k].height)).data, b = bytes(page.out[k]);
        expect(a.length, `${c.name} at ${sizes[k].width}×${sizes[k].height}`).toBe(b.length);
        if (c.exact) expect(Buffer.compare(Buffer.from(a), Buffer.from(b)), `${c.name} at ${sizes[k].width}×${sizes[k].height}: not bit for bit`).toBe(0);
        for (let i = 0; i < a.length; i++) {
          const d = Math.abs(a[i] - b[i]);
          if (d > worst) worst = d;
          if (k === 0 && d > worstFull) worstFull = d;
          sum += d;
          n++;
        }
      }
      const mean = sum / n;
      rows.push(`  ${c.name.padEnd(22)} ${node.width}×${node.height}  max ${worst} (own size ${worstFull})  mean ${mean.toFixed(4)}`);
      if (!c.exact) {
        expect(worst, `${c.name}: largest difference`).toBeLessThanOrEqual(JPEG_MAX);
        expect(mean, `${c.name}: mean difference`).toBeLessThanOrEqual(JPEG_MEAN);
      }
    }
  }, 600_000);
});

describe('files sharp refuses, in one line naming the file', () => {
  const tiny = () => {
    const p = new PNG({ width: 24, height: 24 });
    p.data.fill(128);
    return Buffer.from(PNG.sync.write(p));
  };
  it.each([
    ['not an image', () => readFileSync('package.json'), /^content image x: could not be decoded as an image \(not a PNG, JPEG, WebP or GIF file: .*\); the CLI reads PNG, JPEG, WebP and GIF files$/],
    ['SVG', () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>'), /^content image x: could not be decoded as an image \(it is an SVG file\)/],
    ['BMP', () => Buffer.from('BM\x3a\0\0\0\0\0\0\0\x36\0\0\0', 'latin1'), /^content image x: could not be decoded as an image \(it is a BMP file, which sharp \(libvips\) does not read/],
    ['a PNG with a bad CRC', () => { const b = tiny(); b[29] ^= 0xff; return b; }, /^content image x: could not be decoded as an image \(the PNG data is damaged/],
    ['a truncated JPEG', () => readFileSync(`${EXAMPLES}/rocket.jpg`).subarray(0, 5000), /^content image x: could not be decoded as an image \(the JPEG has no end-of-image marker/],
    ['a PNG whose header says 20000×20000 (refused before decoding)', () => {
      const b = tiny();
      b.writeUInt32BE(20000, 16);
      b.writeUInt32BE(20000, 20);
      return b; // the IHDR CRC is now wrong as well: the size is checked first
    }, new RegExp(`^content image x: 20000×20000 pixels is more than the ${MAX_IMAGE_PIXELS / 1e6} megapixels`)],
  ])('%s', async (_what, make, message) => {
    const err = await decodeFile(new Uint8Array(make()), 'content image x').then(() => null, (e: Error) => e.message);
    expect(err).toMatch(message);
    expect(err).not.toMatch(/\n/);
  });
});

/**
 * npm run figure -- --out FILE.png [--columns N] [--title TEXT] LABEL=IMAGE.png …
 * A labelled figure of PNG images in rows (e.g. a photo, a mask and the results of stylize runs),
 * each resized to the first image's size, with its label underneath: how the pictures in docs/
 * are put together from the project's own outputs.
 */
import { readFileSync } from 'node:fs';
import { composeGrid } from '../src/job/grid.js';
import { resizeImage } from '../src/io/resample.js';
import { Args, runMain } from './lib/args.js';
import { decodePngOverWhite, writePngAtomic } from './lib/png.js';

const HELP = `A labelled figure of PNG images in rows.

usage: npm run figure -- --out FILE.png [options] LABEL=IMAGE.png [LABEL=IMAGE.png …]
  --out FILE.png   where to write the figure                                  [required]
  --columns N      images per row (default: all in one row, up to 6)
  --title TEXT     a line above the images
  --width N        each image's width in the figure (default: the first image's)
Every image is resized to the first one's aspect; labels use a small bitmap font (lower case,
digits, a little punctuation).
`;

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.length === 0 || argv.includes('--help')) {
    process.stdout.write(HELP);
    return argv.length === 0 ? 2 : 0;
  }
  // LABEL=IMAGE.png arguments are the images; the rest (--name value) are options
  const options: string[] = [], tiles: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--')) options.push(argv[i], ...(argv[i].includes('=') || i + 1 >= argv.length ? [] : [argv[++i]]));
    else tiles.push(argv[i]);
  }
  const a = new Args(options);
  const out = a.str('out');
  const columns = a.int('columns', undefined, 1, 12);
  const title = a.str('title', '')!;
  const tileWidth = a.int('width', undefined, 8, 4096);
  a.rejectUnknown();
  if (!out) throw new Error('--out FILE.png is required');
  if (tiles.length === 0) throw new Error('no images: give LABEL=IMAGE.png for each');
  const images = tiles.map((t) => {
    if (!t.includes('=')) throw new Error(`"${t}": give each image as LABEL=IMAGE.png`);
    const [label, path] = [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)];
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      throw new Error(`image "${path}" (for "${label}") cannot be read`);
    }
    return { label, image: decodePngOverWhite(new Uint8Array(bytes), `image ${path}`) };
  });
  const first = images[0].image;
  const width = tileWidth ?? first.width, height = Math.max(1, Math.round((first.height * width) / first.width));
  const grid = composeGrid(title, images.map((t) => ({ label: t.label, image: t.image.width === width && t.image.height === height ? t.image : resizeImage(t.image, width, height) })), { columns, minTileSide: 1 });
  writePngAtomic(out, grid.width, grid.height, grid.data as Uint8Array);
  process.stderr.write(`wrote ${out} (${grid.width}×${grid.height}, ${images.length} images)\n`);
  return 0;
}

runMain(main);

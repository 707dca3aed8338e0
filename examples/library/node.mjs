// Stylize a photo in Node: node node.mjs photo.jpg painting.jpg out.png [size]
// npm install webgpu-neural-style webgpu sharp   (webgpu: Dawn's WebGPU for Node; sharp: decoding)
import { stylize } from 'webgpu-neural-style';
import sharp from 'sharp';

const [contentFile, styleFile, outFile, size = '256'] = process.argv.slice(2);
const read = async (file) => {
  const { data, info } = await sharp(file).rotate().ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
};

const result = await stylize({
  content: await read(contentFile),
  style: await read(styleFile),
  size: Number(size),
  onProgress: (p) => process.stdout.write(`\rstep ${p.step}/${p.iterations}  loss ${p.losses.total.toExponential(3)}`),
});
await sharp(result.data, { raw: { width: result.width, height: result.height, channels: 4 } }).png().toFile(outFile);
console.log(`\n${outFile}: ${result.width}×${result.height} in ${result.seconds.toFixed(1)} s`);

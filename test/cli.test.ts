/** The stylize CLI end to end: a tiny real run, and clear errors that never clobber the output. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'nst-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function stylize(args: string[]) {
  const r = spawnSync('npx', ['tsx', 'tools/stylize.ts', ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const FAST = ['--content-layers', 'conv2_2', '--style-layers', 'conv1_1,conv2_1'];

describe('stylize CLI', () => {
  it('stylizes a bundled photo, reports progress, saves snapshots and a valid PNG', () => {
    const out = join(dir, 'result.png');
    const r = stylize(['--content', 'examples/chelsea.png', '--style', 'examples/hubble_deep_field.jpg', '--out', out, '--size', '24', '--iters', '4', '--save-every', '2', ...FAST]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/\] 4\/4 +total \d/);
    expect(r.err).toMatch(/s\/step +ETA/);
    const png = PNG.sync.read(readFileSync(out));
    expect([png.width, png.height]).toEqual([24, 16]); // chelsea is 451×300
    expect(existsSync(join(dir, 'result_step2.png'))).toBe(true);
    // not a flat image
    const px = new Set<number>();
    for (let i = 0; i < png.data.length; i += 4) px.add(png.data[i]);
    expect(px.size).toBeGreaterThan(10);
  });

  it.each([
    ['a missing content image', ['--content', 'nope.png'], /content image "nope\.png" does not exist/],
    ['a text file posing as an image', ['--content', 'package.json'], /content image package\.json: could not be decoded as an image/],
    ['a truncated PNG', ['--content', 'TRUNCATED'], /could not be decoded as an image/],
    ['an empty style file', ['--style', 'EMPTY'], /style image ".*empty\.jpg" is empty/],
    ['a negative size', ['--size', '-5'], /--size must be an integer in \[16, 8192\], got "-5"/],
    ['a non-numeric iteration count', ['--iters', 'lots'], /--iters must be an integer/],
    ['an unknown layer', ['--style-layers', 'conv1_1,relu9'], /unknown VGG19 layer "relu9"/],
    ['an unknown option', ['--colour', 'red'], /unknown option\(s\): --colour/],
    ['a missing weights file', ['--weights', 'missing.json'], /weights file "missing\.json" does not exist/],
  ])('rejects %s and leaves the existing output alone', (_what, override, message) => {
    const out = join(dir, 'keep.png');
    writeFileSync(out, 'previous result');
    const truncated = join(dir, 'truncated.png');
    writeFileSync(truncated, readFileSync('examples/chelsea.png').subarray(0, 3000));
    writeFileSync(join(dir, 'empty.jpg'), '');
    const base: Record<string, string> = { '--content': 'examples/chelsea.png', '--style': 'examples/rocket.jpg', '--out': out, '--size': '16', '--iters': '1' };
    for (let i = 0; i < override.length; i += 2) base[override[i]] = override[i + 1].replace('TRUNCATED', truncated).replace('EMPTY', join(dir, 'empty.jpg'));
    const r = stylize([...FAST, ...Object.entries(base).flat()]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(readFileSync(out, 'utf8')).toBe('previous result');
  });
});

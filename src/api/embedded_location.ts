/**
 * Where the embedded SqueezeNet 1.1 weights lie, relative to this module in the source tree
 * (weights/ at the repository root), and the size and SHA-256 to check them against (none in the
 * source tree). The package build (tools/build_lib.ts) replaces this module with one naming
 * ./weights/ beside the bundle and the file's recorded size and hash. Both spell the URL as
 * `new URL('literal', import.meta.url)`, the pattern vite and webpack recognise and copy into a
 * site's build.
 */
export const embeddedWeightsUrl = () => new URL('../../weights/squeezenet1_1-deepscale.bin', import.meta.url);

export const EMBEDDED_CHECK: { bytes: number; sha256: string } | null = null;

/** Host side of the benchmark GEMM (shaders/matmul/matmul.wgsl): C (M×N) = A·B with A given as Aᵀ (K×M). */
import type { Dispatch } from '../kernel.js';
import type { KernelLibrary } from '../library.js';
import { expectShape, type Tensor } from '../tensor.js';

export function matmul(lib: KernelLibrary, at: Tensor, b: Tensor, c: Tensor): Dispatch {
  const [K, M] = at.shape;
  const N = b.shape[1];
  if (M % 8 || N % 8) throw new Error(`matmul: M=${M} and N=${N} must be multiples of 8`);
  expectShape('matmul: b', b, [K, N]);
  expectShape('matmul: c', c, [M, N]);
  return lib.kernel('matmul/matmul').bind({ at: at.buffer, b: b.buffer, c: c.buffer }, { M, N, K }, [Math.ceil(N / 64), Math.ceil(M / 64), 1]);
}

/** CPU reference: C = Atᵀ·B. */
export function matmulRef(at: ArrayLike<number>, b: ArrayLike<number>, M: number, N: number, K: number): Float64Array {
  const c = new Float64Array(M * N);
  for (let m = 0; m < M; m++)
    for (let k = 0; k < K; k++) {
      const a = at[k * M + m];
      for (let n = 0; n < N; n++) c[m * N + n] += a * b[k * N + n];
    }
  return c;
}

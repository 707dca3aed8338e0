/** CPU reference for ReLU (forward and backward) and y = a·x + b·y. Double precision, written for clarity. */

type Arr = ArrayLike<number>;

const map = (a: Arr, f: (v: number, i: number) => number) => Float64Array.from({ length: a.length }, (_, i) => f(a[i], i));

export const reluForwardRef = (x: Arr) => map(x, (v) => Math.max(0, v));

export const reluBackwardRef = (act: Arr, g: Arr) => map(g, (v, i) => (act[i] > 0 ? v : 0));

export const axpbyRef = (a: number, x: Arr, b: number, y: Arr) => map(x, (v, i) => a * v + (b === 0 ? 0 : b * y[i]));

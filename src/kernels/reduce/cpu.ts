/** CPU reference for the reduction: Σa, or the dot product Σa·b. Double precision, written for clarity. */

type Arr = ArrayLike<number>;

export function sumRef(a: Arr, b?: Arr): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += b ? a[i] * b[i] : a[i];
  return s;
}

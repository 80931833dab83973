/** Squared norms |x_i|² of the n rows of one sample, accumulated in float32 like the reference. */
export function squaredNorms(x: Float32Array, base: number, n: number, c: number): Float32Array {
  const sq = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    const row = base + i * c;
    for (let q = 0; q < c; q++) {
      const v = x[row + q] as number;
      acc = Math.fround(acc + Math.fround(v * v));
    }
    sq[i] = acc;
  }
  return sq;
}

/**
 * In-place forward discrete Fourier transform of `n` complex values (`re`, `im`),
 * X[k] = Σ x[j]·e^(−2πi·jk/n), for any n ≥ 1: iterative radix-2 Cooley–Tukey when n is a power
 * of two, Bluestein's chirp-z (three power-of-two transforms) otherwise. O(n log n).
 */
export function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  if (n <= 1) return;
  if ((n & (n - 1)) === 0) radix2(re, im, false);
  else bluestein(re, im);
}

/** Radix-2 transform (n a power of two); `inverse` conjugates the twiddles and does not scale. */
function radix2(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const tr = re[i] as number;
      re[i] = re[j] as number;
      re[j] = tr;
      const ti = im[i] as number;
      im[i] = im[j] as number;
      im[j] = ti;
    }
  }
  const sign = inverse ? 1 : -1;
  for (let size = 2; size <= n; size <<= 1) {
    const half = size >> 1;
    const angle = (sign * 2 * Math.PI) / size;
    for (let k = 0; k < half; k++) {
      const wr = Math.cos(angle * k);
      const wi = Math.sin(angle * k);
      for (let start = 0; start < n; start += size) {
        const a = start + k;
        const b = a + half;
        const xr = (re[b] as number) * wr - (im[b] as number) * wi;
        const xi = (re[b] as number) * wi + (im[b] as number) * wr;
        re[b] = (re[a] as number) - xr;
        im[b] = (im[a] as number) - xi;
        re[a] = (re[a] as number) + xr;
        im[a] = (im[a] as number) + xi;
      }
    }
  }
}

/** Bluestein: X[k] = conj(w_k) · Σ (x_j conj(w_j)) w_(k−j) with w_j = e^(iπj²/n), as a convolution. */
function bluestein(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  let m = 1;
  while (m < 2 * n - 1) m <<= 1;
  const wr = new Float64Array(n);
  const wi = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const angle = (Math.PI * ((j * j) % (2 * n))) / n; // j² mod 2n keeps the angle exact
    wr[j] = Math.cos(angle);
    wi[j] = Math.sin(angle);
  }
  const ar = new Float64Array(m);
  const ai = new Float64Array(m);
  for (let j = 0; j < n; j++) {
    // x_j · conj(w_j)
    ar[j] = (re[j] as number) * (wr[j] as number) + (im[j] as number) * (wi[j] as number);
    ai[j] = (im[j] as number) * (wr[j] as number) - (re[j] as number) * (wi[j] as number);
  }
  const br = new Float64Array(m);
  const bi = new Float64Array(m);
  br[0] = wr[0] as number;
  bi[0] = wi[0] as number;
  for (let j = 1; j < n; j++) {
    br[j] = br[m - j] = wr[j] as number;
    bi[j] = bi[m - j] = wi[j] as number;
  }
  radix2(ar, ai, false);
  radix2(br, bi, false);
  for (let k = 0; k < m; k++) {
    const r = (ar[k] as number) * (br[k] as number) - (ai[k] as number) * (bi[k] as number);
    ai[k] = (ar[k] as number) * (bi[k] as number) + (ai[k] as number) * (br[k] as number);
    ar[k] = r;
  }
  radix2(ar, ai, true);
  for (let k = 0; k < n; k++) {
    const cr = (ar[k] as number) / m;
    const ci = (ai[k] as number) / m;
    re[k] = cr * (wr[k] as number) + ci * (wi[k] as number);
    im[k] = ci * (wr[k] as number) - cr * (wi[k] as number);
  }
}

/**
 * The power spectrum |F(ky, kx)|² of a real `height × width` plane (row-major), unshifted
 * (frequency 0 at index 0): a 1D transform of every row, then of every column.
 */
export function powerSpectrum2d(plane: Float64Array, height: number, width: number): Float64Array {
  const re = Float64Array.from(plane);
  const im = new Float64Array(plane.length);
  const rowRe = new Float64Array(width);
  const rowIm = new Float64Array(width);
  for (let y = 0; y < height; y++) {
    rowRe.set(re.subarray(y * width, (y + 1) * width));
    rowIm.fill(0);
    fft(rowRe, rowIm);
    re.set(rowRe, y * width);
    im.set(rowIm, y * width);
  }
  const colRe = new Float64Array(height);
  const colIm = new Float64Array(height);
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      colRe[y] = re[y * width + x] as number;
      colIm[y] = im[y * width + x] as number;
    }
    fft(colRe, colIm);
    for (let y = 0; y < height; y++) {
      re[y * width + x] = colRe[y] as number;
      im[y * width + x] = colIm[y] as number;
    }
  }
  const power = new Float64Array(plane.length);
  for (let i = 0; i < power.length; i++) power[i] = (re[i] as number) ** 2 + (im[i] as number) ** 2;
  return power;
}

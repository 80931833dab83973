/**
 * Clean-up of a rasterised implicit shape into one solid object: keep the largest
 * 6-connected foreground component and fill enclosed background cavities. Both work in place
 * on a 0/1 C-ordered (z, y, x) buffer the caller owns.
 */

/**
 * Flood-fills from `seeds` over 6-connected voxels whose value equals `value`, setting
 * `visited` to 1; returns the number of voxels reached.
 */
function flood(
  data: Uint8Array,
  visited: Uint8Array,
  shape: readonly [number, number, number],
  seeds: Iterable<number>,
  value: number,
): number {
  const [nz, ny, nx] = shape;
  const plane = nx * ny;
  const queue = new Int32Array(data.length);
  let tail = 0;
  const visit = (j: number): void => {
    if (visited[j] === 0 && data[j] === value) {
      visited[j] = 1;
      queue[tail++] = j;
    }
  };
  for (const s of seeds) visit(s);
  for (let head = 0; head < tail; head++) {
    const i = queue[head]!;
    const x = i % nx;
    const y = Math.floor(i / nx) % ny;
    const z = Math.floor(i / plane);
    if (x > 0) visit(i - 1);
    if (x < nx - 1) visit(i + 1);
    if (y > 0) visit(i - nx);
    if (y < ny - 1) visit(i + nx);
    if (z > 0) visit(i - plane);
    if (z < nz - 1) visit(i + plane);
  }
  return tail;
}

/**
 * Keeps only the largest 6-connected component of foreground (1) voxels, in place.
 * Returns the number of components found before the clean-up (0 for an empty mask).
 */
export function keepLargestComponent(
  data: Uint8Array,
  shape: readonly [number, number, number],
): number {
  const labels = new Uint8Array(data.length);
  let components = 0;
  let bestSize = 0;
  let bestSeed = -1;
  for (let i = 0; i < data.length; i++) {
    if (data[i] !== 1 || labels[i] !== 0) continue;
    components++;
    const size = flood(data, labels, shape, [i], 1);
    if (size > bestSize) {
      bestSize = size;
      bestSeed = i;
    }
  }
  if (components <= 1) return components;
  const keep = new Uint8Array(data.length);
  flood(data, keep, shape, [bestSeed], 1);
  for (let i = 0; i < data.length; i++) data[i] = keep[i]!;
  return components;
}

/**
 * Sets to 1 every background voxel that is not 6-connected to the grid border (an enclosed
 * cavity), in place, so the object is solid. Returns the number of voxels filled.
 */
export function fillCavities(data: Uint8Array, shape: readonly [number, number, number]): number {
  const [nz, ny, nx] = shape;
  const outside = new Uint8Array(data.length);
  const border: number[] = [];
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const onFace = z === 0 || z === nz - 1 || y === 0 || y === ny - 1;
      for (let x = 0; x < nx; x++) {
        if (onFace || x === 0 || x === nx - 1) border.push((z * ny + y) * nx + x);
      }
    }
  }
  flood(data, outside, shape, border, 0);
  let filled = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] === 0 && outside[i] === 0) {
      data[i] = 1;
      filled++;
    }
  }
  return filled;
}

/**
 * {@link fillCavities} then {@link keepLargestComponent}, in place, run on the bounding box of
 * the foreground grown by one voxel (clamped to the grid): everything outside it is background
 * connected to the border, so the result is the same as on the whole grid, only faster.
 */
export function solidify(data: Uint8Array, shape: readonly [number, number, number]): void {
  const [nz, ny, nx] = shape;
  const lo = [nz, ny, nx];
  const hi = [-1, -1, -1];
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const row = (z * ny + y) * nx;
      for (let x = 0; x < nx; x++) {
        if (data[row + x] === 0) continue;
        if (z < lo[0]!) lo[0] = z;
        if (z > hi[0]!) hi[0] = z;
        if (y < lo[1]!) lo[1] = y;
        if (y > hi[1]!) hi[1] = y;
        if (x < lo[2]!) lo[2] = x;
        if (x > hi[2]!) hi[2] = x;
      }
    }
  }
  if (hi[0]! < 0) return;
  const [z0, y0, x0] = lo.map((v) => Math.max(0, v - 1)) as [number, number, number];
  const [z1, y1, x1] = hi.map((v, a) => Math.min(shape[a]! - 1, v + 1)) as [number, number, number];
  const box: [number, number, number] = [z1 - z0 + 1, y1 - y0 + 1, x1 - x0 + 1];
  const sub = new Uint8Array(box[0] * box[1] * box[2]);
  const copy = (toSub: boolean): void => {
    for (let z = 0; z < box[0]; z++) {
      for (let y = 0; y < box[1]; y++) {
        const s = (z * box[1] + y) * box[2];
        const d = ((z + z0) * ny + y + y0) * nx + x0;
        if (toSub) sub.set(data.subarray(d, d + box[2]), s);
        else data.set(sub.subarray(s, s + box[2]), d);
      }
    }
  };
  copy(true);
  fillCavities(sub, box);
  keepLargestComponent(sub, box);
  copy(false);
}

import type { Volume } from '@cellshape/helper';

/**
 * Small volumes for the data tests: an axis-aligned ellipsoid (semi-axes in voxels, centred at
 * `centre`) and an asymmetric "chair" that no grid symmetry but the identity maps onto itself.
 */

/** A 0/1 ellipsoid with semi-axes `radii` (z, y, x) centred at `centre` in a grid of `shape`. */
export function ellipsoid(
  shape: [number, number, number],
  radii: [number, number, number],
  centre: [number, number, number],
  value = 1,
): Volume<Uint8Array> {
  const [nz, ny, nx] = shape;
  const data = new Uint8Array(nz * ny * nx);
  for (let z = 0, i = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, i++) {
        const d =
          ((z - centre[0]) / radii[0]) ** 2 +
          ((y - centre[1]) / radii[1]) ** 2 +
          ((x - centre[2]) / radii[2]) ** 2;
        if (d <= 1) data[i] = value;
      }
  return { data, shape };
}

/** An object with distinct extents 2 × 3 × 4 plus a bump on one corner: no symmetry. */
export function chair(): Volume<Uint8Array> {
  const shape: [number, number, number] = [3, 4, 5];
  const data = new Uint8Array(3 * 4 * 5);
  const set = (z: number, y: number, x: number) => {
    data[(z * 4 + y) * 5 + x] = 1;
  };
  for (let z = 0; z < 2; z++) for (let y = 0; y < 3; y++) for (let x = 0; x < 4; x++) set(z, y, x);
  set(2, 0, 0);
  set(2, 3, 4);
  set(0, 3, 1);
  return { data, shape };
}

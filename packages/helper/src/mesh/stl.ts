import { decimalNumber, FormatError } from '@cellshape/core';
import type { Mesh } from '../types.js';
import { buildMesh, decodeText, NumberBuffer } from './mesh-build.js';

/**
 * STL, ASCII (`solid … facet … vertex x y z … endsolid`) and binary (80-byte header, uint32
 * triangle count, 50 bytes per triangle). STL stores every triangle's corners separately;
 * corners are welded by exact float32 position so the result is an indexed mesh.
 */

/** True when `bytes` has exactly the size a binary STL with its declared count must have. */
export function isBinaryStl(bytes: Uint8Array): boolean {
  if (bytes.length < 84) return false;
  const count = new DataView(bytes.buffer, bytes.byteOffset + 80, 4).getUint32(0, true);
  return bytes.length === 84 + 50 * count;
}

/** Welds triangle-soup corners (x, y, z per corner, 3 corners per triangle) by position. */
function weld(corners: ArrayLike<number>, fn: string, source: string): Mesh {
  const nCorners = corners.length / 3;
  const index = new Map<string, number>();
  const positions = new NumberBuffer();
  const faces = new Uint32Array(nCorners);
  for (let c = 0; c < nCorners; c++) {
    // `+ 0` turns -0 into 0 so that the two zeros weld.
    const x = Math.fround(corners[3 * c] as number) + 0;
    const y = Math.fround(corners[3 * c + 1] as number) + 0;
    const z = Math.fround(corners[3 * c + 2] as number) + 0;
    const key = `${x},${y},${z}`;
    let id = index.get(key);
    if (id === undefined) {
      id = positions.length / 3;
      index.set(key, id);
      positions.push(x);
      positions.push(y);
      positions.push(z);
    }
    faces[c] = id;
  }
  const offsets = new Uint32Array(nCorners / 3 + 1);
  for (let t = 0; t < offsets.length; t++) offsets[t] = 3 * t;
  return buildMesh(positions.values(), offsets, faces, fn, source);
}

/** Parses ASCII or binary STL bytes into an indexed mesh. */
export function parseStl(bytes: Uint8Array, fn: string, source: string): Mesh {
  const fail = (message: string) =>
    new FormatError(`${fn}: ${source} is not a valid STL file: ${message}`, { fn, arg: source });
  if (isBinaryStl(bytes)) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const count = view.getUint32(80, true);
    const corners = new Float32Array(count * 9);
    for (let t = 0; t < count; t++)
      for (let k = 0; k < 9; k++)
        corners[9 * t + k] = view.getFloat32(84 + 50 * t + 12 + 4 * k, true);
    return weld(corners, fn, source);
  }
  const text = decodeText(bytes, 'latin1', fn, source);
  if (!/^\s*solid/.test(text))
    throw fail("it is neither ASCII ('solid …') nor a binary STL of consistent size");
  const corners = new NumberBuffer();
  const pattern = /vertex\s+(\S+)\s+(\S+)\s+(\S+)/g;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    for (let k = 1; k <= 3; k++) {
      const value = decimalNumber(match[k]);
      if (Number.isNaN(value)) throw fail(`the non-numeric coordinate ${JSON.stringify(match[k])}`);
      corners.push(value);
    }
  }
  const facets = (text.match(/endfacet/g) ?? []).length;
  if (corners.length !== facets * 9)
    throw fail(`${facets} facets but ${corners.length / 3} vertices (truncated or not triangles)`);
  if (!/endsolid/.test(text)) throw fail("no 'endsolid' (truncated file)");
  return weld(corners.values(), fn, source);
}

/** Encodes a mesh as binary STL with per-face unit normals (zero for degenerate faces). */
export function encodeStl(mesh: Mesh): Uint8Array {
  const { positions: p, faces: f } = mesh;
  const count = f.length / 3;
  const out = new Uint8Array(84 + 50 * count);
  out.set(new TextEncoder().encode('binary STL written by @cellshape/helper'));
  const view = new DataView(out.buffer);
  view.setUint32(80, count, true);
  const corner = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  for (let t = 0; t < count; t++) {
    for (let c = 0; c < 3; c++)
      for (let k = 0; k < 3; k++) corner[3 * c + k] = p[3 * (f[3 * t + c] as number) + k] as number;
    const [ax, ay, az, bx, by, bz, cx, cy, cz] = corner as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    let nx = (by - ay) * (cz - az) - (bz - az) * (cy - ay);
    let ny = (bz - az) * (cx - ax) - (bx - ax) * (cz - az);
    let nz = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
    const length = Math.hypot(nx, ny, nz);
    if (length > 0) {
      nx /= length;
      ny /= length;
      nz /= length;
    }
    const o = 84 + 50 * t;
    [nx, ny, nz, ...corner].forEach((value, k) => {
      view.setFloat32(o + 4 * k, value, true);
    });
  }
  return out;
}

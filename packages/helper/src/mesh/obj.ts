import { decimalNumber, FormatError, formatFloat32 } from '@cellshape/core';
import type { Mesh } from '../types.js';
import { buildMesh, decodeText, NumberBuffer } from './mesh-build.js';

/**
 * Wavefront OBJ geometry: `v x y z [w | r g b]` vertices and `f` faces whose corners are
 * `i`, `i/t`, `i/t/n` or `i//n`, 1-based, negative indices counting back from the last vertex
 * read so far. Texture coordinates, normals, groups and materials are ignored.
 */

/** Parses OBJ bytes into a mesh; polygons are fan-triangulated. */
export function parseObj(bytes: Uint8Array, fn: string, source: string): Mesh {
  const fail = (line: number, message: string) =>
    new FormatError(`${fn}: ${source} is not a valid OBJ file: line ${line + 1} ${message}`, {
      fn,
      arg: source,
    });
  // Lines end in \n, \r\n or a lone \r (classic Mac OS): a lone \r read as a space would join lines.
  const lines = decodeText(bytes, 'latin1', fn, source).split(/\n|\r\n?/);
  const positions = new NumberBuffer();
  const offsets: number[] = [0];
  const indices = new NumberBuffer();
  let sawGeometry = false;
  for (let l = 0; l < lines.length; l++) {
    const words = (lines[l] as string).trim().split(/\s+/);
    if (words[0] === 'v') {
      sawGeometry = true;
      for (let k = 1; k <= 3; k++) {
        const value = decimalNumber(words[k]);
        if (words[k] === undefined || Number.isNaN(value))
          throw fail(l, `has the non-numeric coordinate ${JSON.stringify(words[k])}`);
        positions.push(value);
      }
    } else if (words[0] === 'f') {
      sawGeometry = true;
      const nVertices = positions.length / 3;
      for (const corner of words.slice(1)) {
        const index = decimalNumber(corner.split('/')[0]);
        if (!Number.isInteger(index) || index === 0)
          throw fail(l, `has the bad face corner ${JSON.stringify(corner)}`);
        indices.push(index > 0 ? index - 1 : nVertices + index);
      }
      offsets.push(indices.length);
    }
  }
  if (!sawGeometry) throw fail(0, "and the rest hold no 'v' or 'f' line");
  return buildMesh(positions.values(), offsets, indices.values(), fn, source);
}

/** Encodes a mesh as OBJ (`v` and 1-based `f` lines). */
export function encodeObj(mesh: Mesh): Uint8Array {
  const lines: string[] = [];
  const p = mesh.positions;
  for (let v = 0; v < p.length / 3; v++)
    lines.push(
      `v ${formatFloat32(p[3 * v] as number)} ${formatFloat32(p[3 * v + 1] as number)} ${formatFloat32(p[3 * v + 2] as number)}`,
    );
  const f = mesh.faces;
  for (let t = 0; t < f.length / 3; t++)
    lines.push(
      `f ${(f[3 * t] as number) + 1} ${(f[3 * t + 1] as number) + 1} ${(f[3 * t + 2] as number) + 1}`,
    );
  return new TextEncoder().encode(`${lines.join('\n')}\n`);
}

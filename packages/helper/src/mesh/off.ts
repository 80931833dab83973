import { decimalNumber, FormatError, formatFloat32 } from '@cellshape/core';
import type { Mesh } from '../types.js';
import { buildMesh, decodeText } from './mesh-build.js';

/**
 * Geomview OFF: a header keyword (`OFF`, or with prefixes such as `COFF`, `NOFF`, `CNOFF`,
 * `STOFF`), then `nVertices nFaces nEdges`, one vertex per line and one face per line as
 * `n i0 … i(n-1)`. Extra columns (colours, normals, texture coordinates) are ignored and
 * `#` starts a comment.
 */

/** Parses OFF bytes into a mesh; polygons are fan-triangulated. */
export function parseOff(bytes: Uint8Array, fn: string, source: string): Mesh {
  const fail = (message: string) =>
    new FormatError(`${fn}: ${source} is not a valid OFF file: ${message}`, { fn, arg: source });
  // A lone CR ends a line too (as in the OBJ, PLY and CSV readers).
  const lines = decodeText(bytes, 'latin1', fn, source)
    .split(/\r\n|\r|\n/)
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line.length > 0);
  const first = lines[0] ?? '';
  // The keyword alone, the rest by slicing: `^(…OFF)\b\s*(.*)$` backtracked through every
  // split of a long run of blanks when `.` could not reach the end (a CR): 146 KB took 6 s.
  const keyword = /^[A-Za-z]*OFF(?!\w)/.exec(first)?.[0];
  if (keyword === undefined) throw fail("it does not start with 'OFF'");
  if (/[4n]/.test(keyword)) throw fail(`only 3-D OFF is supported, got ${JSON.stringify(keyword)}`);
  // The counts may follow the keyword on the same line.
  let cursor = 1;
  const rest = first.slice(keyword.length).trim();
  const countsText = rest !== '' ? rest : lines[cursor++];
  const counts = (countsText ?? '').split(/\s+/).map(decimalNumber);
  const nVertices = counts[0] as number;
  const nFaces = counts[1] as number;
  if (!Number.isInteger(nVertices) || !Number.isInteger(nFaces) || nVertices < 0 || nFaces < 0)
    throw fail(`bad counts line ${JSON.stringify(countsText)}`);
  if (lines.length < cursor + nVertices + nFaces)
    throw fail(
      `the header promises ${nVertices} vertices and ${nFaces} faces but the file ends early (truncated)`,
    );
  const parse = (word: string | undefined, line: number): number => {
    const value = decimalNumber(word);
    if (word === undefined || word === '' || Number.isNaN(value))
      throw fail(`line ${line} has the non-numeric value ${JSON.stringify(word)}`);
    return value;
  };
  const positions = new Float64Array(nVertices * 3);
  for (let v = 0; v < nVertices; v++) {
    const words = (lines[cursor + v] as string).split(/\s+/);
    for (let k = 0; k < 3; k++) positions[3 * v + k] = parse(words[k], cursor + v);
  }
  cursor += nVertices;
  const offsets = new Uint32Array(nFaces + 1);
  const indices: number[] = [];
  for (let f = 0; f < nFaces; f++) {
    const words = (lines[cursor + f] as string).split(/\s+/);
    const n = parse(words[0], cursor + f);
    if (!Number.isInteger(n) || n < 0 || words.length < n + 1)
      throw fail(`face ${f} declares ${words[0]} vertices but lists ${words.length - 1}`);
    for (let k = 1; k <= n; k++) indices.push(parse(words[k], cursor + f));
    offsets[f + 1] = indices.length;
  }
  return buildMesh(positions, offsets, indices, fn, source);
}

/** Encodes a mesh as ASCII OFF (shortest float32 round-trip decimals). */
export function encodeOff(mesh: Mesh): Uint8Array {
  const nVertices = mesh.positions.length / 3;
  const nFaces = mesh.faces.length / 3;
  const lines = ['OFF', `${nVertices} ${nFaces} 0`];
  const p = mesh.positions;
  for (let v = 0; v < nVertices; v++)
    lines.push(
      `${formatFloat32(p[3 * v] as number)} ${formatFloat32(p[3 * v + 1] as number)} ${formatFloat32(p[3 * v + 2] as number)}`,
    );
  const f = mesh.faces;
  for (let t = 0; t < nFaces; t++) lines.push(`3 ${f[3 * t]} ${f[3 * t + 1]} ${f[3 * t + 2]}`);
  return new TextEncoder().encode(`${lines.join('\n')}\n`);
}

import { constants } from 'node:buffer';
import { FormatError, UnsupportedError } from '@cellshape/core';
import type { Mesh } from '../types.js';

/**
 * The smallest magnitude a double rounds to ±Infinity from when stored as float32
 * (2¹²⁸ − 2¹⁰³, halfway between the largest float32 and 2¹²⁸): `Math.abs(v) < LIMIT` is
 * exactly "v is finite as float32" (false for NaN), and as cheap as `Number.isFinite(v)`.
 */
export const FLOAT32_LIMIT = 2 ** 128 - 2 ** 103;

/**
 * Builds an indexed triangle mesh from parsed vertices and polygons: polygons with more than
 * three corners are fan-triangulated (corner 0 with each consecutive pair), and every
 * coordinate (finite as float32, the stored type) and index is checked so that a corrupt file fails here, naming the file.
 */
export function buildMesh(
  positions: ArrayLike<number>,
  polygonOffsets: ArrayLike<number>,
  polygonIndices: ArrayLike<number>,
  fn: string,
  source: string,
): Mesh {
  const nVertices = Math.floor(positions.length / 3);
  const coordinates = new Float32Array(nVertices * 3);
  for (let i = 0; i < nVertices * 3; i++) {
    const v = positions[i] as number;
    // Checked against the float32 range (the stored type): a finite double beyond ±3.4e38
    // would otherwise be stored as ±Infinity.
    if (!(Math.abs(v) < FLOAT32_LIMIT))
      throw new FormatError(
        Number.isFinite(v)
          ? `${fn}: ${source} has the coordinate ${v} at vertex ${Math.floor(i / 3)}, outside the float32 range`
          : `${fn}: ${source} has the non-finite coordinate ${v} at vertex ${Math.floor(i / 3)}`,
        { fn, arg: source },
      );
    coordinates[i] = v;
  }
  const nPolygons = polygonOffsets.length - 1;
  let nTriangles = 0;
  for (let p = 0; p < nPolygons; p++) {
    const corners = (polygonOffsets[p + 1] as number) - (polygonOffsets[p] as number);
    if (corners < 3)
      throw new FormatError(`${fn}: ${source} has face ${p} with only ${corners} vertices`, {
        fn,
        arg: source,
      });
    nTriangles += corners - 2;
  }
  const faces = new Uint32Array(nTriangles * 3);
  let t = 0;
  for (let p = 0; p < nPolygons; p++) {
    const start = polygonOffsets[p] as number;
    const end = polygonOffsets[p + 1] as number;
    for (let k = start; k < end; k++) {
      const index = polygonIndices[k] as number;
      if (!Number.isInteger(index) || index < 0 || index >= nVertices)
        throw new FormatError(
          `${fn}: ${source} has face ${p} with vertex index ${index}, outside [0, ${nVertices})`,
          { fn, arg: source },
        );
    }
    for (let k = start + 1; k + 1 < end; k++) {
      faces[t++] = polygonIndices[start] as number;
      faces[t++] = polygonIndices[k] as number;
      faces[t++] = polygonIndices[k + 1] as number;
    }
  }
  return { positions: coordinates, faces };
}

/** A growable float64 buffer for parsers that do not know their counts in advance. */
export class NumberBuffer {
  data = new Float64Array(64);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  values(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

/**
 * `bytes[start…]` decoded as text (`latin1` or `utf-8`, whose BOM is dropped). Text past the
 * longest string V8 makes (2^29 − 24 characters, ~512 MiB) is an `UnsupportedError`: decoding
 * it aborted the whole process (latin1: a fatal error) or threw a plain `Error` (utf-8).
 */
export function decodeText(
  bytes: Uint8Array,
  encoding: 'latin1' | 'utf-8',
  fn: string,
  source: string,
  start = 0,
): string {
  const length = bytes.length - start;
  if (length > constants.MAX_STRING_LENGTH)
    throw new UnsupportedError(
      `${fn}: ${source} holds ${length} bytes of text, more than the ${constants.MAX_STRING_LENGTH} characters a string can hold; convert it to a binary format`,
      { fn, arg: source },
    );
  return new TextDecoder(encoding).decode(bytes.subarray(start));
}

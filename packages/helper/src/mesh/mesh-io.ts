import {
  checkBoolean,
  checkObject,
  FormatError,
  invalidArgument,
  readSourceBytes,
  withDefaults,
  writeFileAtomic,
} from '@cellshape/core';
import { formatFromExtension, outputFormat } from '../file-format.js';
import { validateMesh } from '../surface/index.js';
import type { Mesh } from '../types.js';
import { buildMesh } from './mesh-build.js';
import { encodeObj, parseObj } from './obj.js';
import { encodeOff, parseOff } from './off.js';
import { encodePly, parsePly } from './ply.js';
import { encodeStl, isBinaryStl, parseStl } from './stl.js';

/** Mesh file formats: Geomview OFF, Stanford PLY, Wavefront OBJ and STL. */
export type MeshFormat = 'off' | 'ply' | 'obj' | 'stl';

const FORMATS: readonly MeshFormat[] = ['off', 'ply', 'obj', 'stl'];

/** Options of {@link readMesh}. */
export interface ReadMeshOptions {
  /** The file format; default: from the file extension, else sniffed from the content. */
  format?: MeshFormat;
}

/** Options of {@link encodeMesh} and {@link writeMesh}. */
export interface EncodeMeshOptions {
  /** PLY only: write an ASCII body instead of binary little-endian. Default `false`. */
  ascii?: boolean;
}

/** Defaults of {@link EncodeMeshOptions}. */
export const DEFAULT_ENCODE_MESH_OPTIONS: Required<EncodeMeshOptions> = { ascii: false };

/** Options of {@link writeMesh}. */
export interface WriteMeshOptions extends EncodeMeshOptions {
  /** The file format; default: from the file extension. */
  format?: MeshFormat;
}

function checkFormat(fn: string, format: unknown): MeshFormat {
  if (!FORMATS.includes(format as MeshFormat))
    throw invalidArgument(fn, 'format', `one of ${FORMATS.join(', ')}`, format);
  return format as MeshFormat;
}

function checkBytes(fn: string, arg: string, bytes: unknown): Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw invalidArgument(fn, arg, 'a Uint8Array', bytes);
  return bytes;
}

/** Guesses a mesh format from the first bytes. */
function sniffFormat(bytes: Uint8Array, fn: string, source: string): MeshFormat {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 512));
  if (/^ply\s/.test(head)) return 'ply';
  if (/^(\s*#[^\n]*\n)*\s*[A-Z]*OFF\b/.test(head)) return 'off';
  if (isBinaryStl(bytes) || /^\s*solid\b/.test(head)) return 'stl';
  if (/^\s*(v|f|o|g|vn|vt|mtllib|usemtl|s)\s/m.test(head) || /^\s*#/.test(head)) return 'obj';
  throw new FormatError(
    `${fn}: cannot tell the mesh format of ${source}; pass { format: 'off' | 'ply' | 'obj' | 'stl' }`,
    { fn, arg: source },
  );
}

function parsePlyMesh(bytes: Uint8Array, fn: string, source: string): Mesh {
  const ply = parsePly(bytes, ['vertex', 'face'], fn, source);
  const vertex = ply.elements.get('vertex');
  const fail = (message: string) =>
    new FormatError(`${fn}: ${source} is not a PLY mesh: ${message}`, { fn, arg: source });
  if (vertex === undefined) throw fail("it has no 'vertex' element");
  const columns = ['x', 'y', 'z'].map((name) => vertex.scalars.get(name));
  if (columns.some((c) => c === undefined)) throw fail("the vertices lack 'x', 'y' or 'z'");
  const positions = new Float64Array(vertex.count * 3);
  for (let k = 0; k < 3; k++) {
    const column = columns[k] as Float64Array;
    for (let v = 0; v < vertex.count; v++) positions[3 * v + k] = column[v] as number;
  }
  const face = ply.elements.get('face');
  if (face === undefined) return buildMesh(positions, [0], [], fn, source);
  const list = face.lists.get('vertex_indices') ?? face.lists.get('vertex_index');
  if (list === undefined) throw fail("the faces have no 'vertex_indices' list");
  return buildMesh(positions, list.offsets, list.values, fn, source);
}

function parseAs(fn: string, bytes: Uint8Array, format: MeshFormat, source: string): Mesh {
  switch (format) {
    case 'off':
      return parseOff(bytes, fn, source);
    case 'ply':
      return parsePlyMesh(bytes, fn, source);
    case 'obj':
      return parseObj(bytes, fn, source);
    case 'stl':
      return parseStl(bytes, fn, source);
    default: {
      const never: never = format;
      throw invalidArgument(fn, 'format', 'a mesh format', never);
    }
  }
}

/**
 * Parses mesh bytes of the given format into an indexed triangle mesh (polygons are
 * fan-triangulated, STL corners welded). Corrupt or truncated data, non-numeric values,
 * face indices out of range and non-finite coordinates throw a `FormatError`.
 */
export function parseMesh(bytes: Uint8Array, format: MeshFormat): Mesh {
  const fn = 'parseMesh';
  checkBytes(fn, 'bytes', bytes);
  return parseAs(fn, bytes, checkFormat(fn, format), "'bytes'");
}

/**
 * Reads a mesh from a file path or from bytes. The format comes from `options.format`, else
 * the path's extension, else the content (PLY and OFF headers, STL size or `solid`, OBJ lines).
 */
export function readMesh(source: string | Uint8Array, options: ReadMeshOptions = {}): Mesh {
  const fn = 'readMesh';
  checkObject(fn, 'options', options);
  if (options.format !== undefined) checkFormat(fn, options.format);
  if (typeof source === 'string') {
    const { bytes, where: name } = readSourceBytes(fn, source);
    const format =
      options.format ?? formatFromExtension(source, FORMATS) ?? sniffFormat(bytes, fn, name);
    return parseAs(fn, bytes, format, name);
  }
  const bytes = checkBytes(fn, 'source', source);
  return parseAs(fn, bytes, options.format ?? sniffFormat(bytes, fn, "'source'"), "'source'");
}

/**
 * Encodes a mesh in a file format: OFF, OBJ (text), PLY (binary little-endian `float x, y, z`
 * and `list uchar int vertex_indices`, or ASCII with `{ ascii: true }`) or binary STL.
 */
export function encodeMesh(
  mesh: Mesh,
  format: MeshFormat,
  options: EncodeMeshOptions = {},
): Uint8Array {
  const fn = 'encodeMesh';
  validateMesh(fn, 'mesh', mesh);
  const { ascii } = withDefaults(fn, DEFAULT_ENCODE_MESH_OPTIONS, options);
  checkBoolean(fn, 'options.ascii', ascii);
  const checked = checkFormat(fn, format);
  switch (checked) {
    case 'off':
      return encodeOff(mesh);
    case 'obj':
      return encodeObj(mesh);
    case 'stl':
      return encodeStl(mesh);
    case 'ply': {
      const n = mesh.positions.length / 3;
      const axis = (k: number) => mesh.positions.filter((_, i) => i % 3 === k);
      return encodePly(
        [
          {
            name: 'vertex',
            count: n,
            columns: ['x', 'y', 'z'].map((name, k) => ({ name, type: 'float', values: axis(k) })),
          },
          {
            name: 'face',
            count: mesh.faces.length / 3,
            triangles: { name: 'vertex_indices', faces: mesh.faces },
          },
        ],
        ascii,
      );
    }
    default: {
      const never: never = checked;
      throw invalidArgument(fn, 'format', 'a mesh format', never);
    }
  }
}

/**
 * Writes a mesh to `path` atomically (a temporary file renamed into place, so a failed write
 * never leaves a half-written file). The format is `options.format`, else the extension.
 */
export async function writeMesh(
  path: string,
  mesh: Mesh,
  options: WriteMeshOptions = {},
): Promise<void> {
  const format = outputFormat('writeMesh', path, options.format, FORMATS);
  const { format: _, ...encodeOptions } = options;
  await writeFileAtomic(path, encodeMesh(mesh, format, encodeOptions));
}

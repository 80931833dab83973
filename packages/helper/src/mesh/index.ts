/**
 * Mesh files: OFF, PLY, OBJ and STL to and from indexed triangle meshes.
 *
 * ```ts
 * import { readMesh, writeMesh } from '@cellshape/helper';
 * const mesh = readMesh('cell.ply');        // { positions: Float32Array, faces: Uint32Array }
 * await writeMesh('cell.off', mesh);        // format from the extension, written atomically
 * ```
 */
export {
  DEFAULT_ENCODE_MESH_OPTIONS,
  type EncodeMeshOptions,
  encodeMesh,
  type MeshFormat,
  parseMesh,
  type ReadMeshOptions,
  readMesh,
  type WriteMeshOptions,
  writeMesh,
} from './mesh-io.js';

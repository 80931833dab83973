import { InvalidArgumentError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { unitCube } from './test-meshes.js';
import { validateMesh } from './validate-mesh.js';

describe('validateMesh', () => {
  it('accepts well-formed meshes, including empty ones', () => {
    expect(() => validateMesh('f', 'mesh', unitCube())).not.toThrow();
    const empty = { positions: new Float32Array(0), faces: new Uint32Array(0) };
    expect(() => validateMesh('f', 'mesh', empty)).not.toThrow();
  });

  const cube = unitCube();
  it.each([
    [
      'null',
      null,
      /^writeMesh: 'input' must be a mesh \{ positions: Float32Array, faces: Uint32Array \}, got null$/,
    ],
    [
      'number[] positions',
      { positions: [0, 0, 0], faces: new Uint32Array(0) },
      /'input.positions' must be a Float32Array of x, y, z triples, got \[0, 0, 0\]/,
    ],
    [
      'positions not in triples',
      { positions: new Float32Array(4), faces: new Uint32Array(0) },
      /'input.positions' must be a Float32Array of x, y, z triples, got Float32Array\(4\)/,
    ],
    [
      'Int32Array faces',
      { positions: cube.positions, faces: Int32Array.from(cube.faces) },
      /'input.faces' must be a Uint32Array of vertex-index triples, got Int32Array\(36\)/,
    ],
    [
      'faces not in triples',
      { positions: cube.positions, faces: Uint32Array.of(0, 1) },
      /'input.faces' must be a Uint32Array of vertex-index triples/,
    ],
    [
      'an index out of range',
      { positions: cube.positions, faces: Uint32Array.of(0, 1, 8) },
      /'input.faces' must be vertex indices below the vertex count 8, got index 8/,
    ],
    [
      'a NaN coordinate',
      { positions: Float32Array.of(0, 0, 0, 1, Number.NaN, 0), faces: new Uint32Array(0) },
      /'input.positions' must be finite, got NaN at vertex 1/,
    ],
    [
      'an infinite coordinate',
      { positions: Float32Array.of(Number.POSITIVE_INFINITY, 0, 0), faces: new Uint32Array(0) },
      /must be finite, got Infinity at vertex 0/,
    ],
  ])('rejects %s, naming the caller and argument', (_name, mesh, message) => {
    expect(() => validateMesh('writeMesh', 'input', mesh)).toThrow(InvalidArgumentError);
    expect(() => validateMesh('writeMesh', 'input', mesh)).toThrow(message);
    try {
      validateMesh('writeMesh', 'input', mesh);
    } catch (error) {
      expect((error as InvalidArgumentError).fn).toBe('writeMesh');
    }
  });
});

import { describe, expect, it } from 'vitest';
import { fillCavities, keepLargestComponent, solidify } from './solid-mask.js';

const shape: [number, number, number] = [7, 7, 7];
const at = (z: number, y: number, x: number): number => (z * 7 + y) * 7 + x;

/** A hollow 5³ cube shell (1..5 on every axis) around a 3³ cavity. */
function hollowCube(): Uint8Array {
  const data = new Uint8Array(343);
  for (let z = 1; z <= 5; z++)
    for (let y = 1; y <= 5; y++)
      for (let x = 1; x <= 5; x++)
        if ([z, y, x].some((v) => v === 1 || v === 5)) data[at(z, y, x)] = 1;
  return data;
}

describe('fillCavities', () => {
  it('fills an enclosed cavity and nothing else', () => {
    const data = hollowCube();
    expect(fillCavities(data, shape)).toBe(27);
    expect(data.reduce((s, v) => s + v, 0)).toBe(125);
    expect(data[at(0, 0, 0)]).toBe(0);
  });

  it('leaves a cavity open to the outside alone', () => {
    const data = hollowCube();
    data[at(3, 3, 5)] = 0; // a hole in one face
    expect(fillCavities(data, shape)).toBe(0);
  });
});

describe('keepLargestComponent', () => {
  it('keeps the largest 6-connected component', () => {
    const data = hollowCube();
    data[at(0, 0, 0)] = 1; // touches the cube only diagonally: its own component
    data[at(6, 6, 6)] = 1;
    expect(keepLargestComponent(data, shape)).toBe(3);
    expect(data.reduce((s, v) => s + v, 0)).toBe(98);
    expect(data[at(0, 0, 0)]).toBe(0);
    expect(data[at(1, 1, 1)]).toBe(1);
  });

  it('reports 0 for an empty grid and 1 for a single object', () => {
    expect(keepLargestComponent(new Uint8Array(343), shape)).toBe(0);
    expect(keepLargestComponent(hollowCube(), shape)).toBe(1);
  });
});

describe('solidify', () => {
  it('fills cavities and keeps the largest component, as on the whole grid', () => {
    const grid: [number, number, number] = [9, 9, 9];
    const data = new Uint8Array(729);
    const idx = (z: number, y: number, x: number): number => (z * 9 + y) * 9 + x;
    // Hollow 5³ shell at 2..6, with a one-voxel island at (0, 8, 8) (touching the grid border).
    for (let z = 2; z <= 6; z++)
      for (let y = 2; y <= 6; y++)
        for (let x = 2; x <= 6; x++)
          if ([z, y, x].some((v) => v === 2 || v === 6)) data[idx(z, y, x)] = 1;
    data[idx(0, 8, 8)] = 1;
    const expected = data.slice();
    fillCavities(expected, grid);
    keepLargestComponent(expected, grid);
    solidify(data, grid);
    expect(data).toEqual(expected);
    expect(data.reduce((s, v) => s + v, 0)).toBe(125);
  });

  it('leaves an empty grid empty', () => {
    const data = new Uint8Array(27);
    solidify(data, [3, 3, 3]);
    expect(data.every((v) => v === 0)).toBe(true);
  });
});

// quickhull3d@3's main entry (`dist/index.js`) uses extension-less ESM imports that Node
// cannot resolve; its self-contained bundle `dist/quickhull3d.js` is the entry that loads,
// and it ships no typings of its own.
declare module 'quickhull3d/dist/quickhull3d.js' {
  /** Triangles (vertex-index triples, outward counter-clockwise) of the points' hull. */
  export default function quickhull(
    points: [number, number, number][],
    options?: { skipTriangulation?: boolean },
  ): number[][];
}

/**
 * `@cellshape/profile`: the 2D half of the toolkit — images and centroid tables → single-cell
 * crops and whole-image embeddings (SPEC §8).
 *
 * @module @cellshape/profile
 */

export * from './augment/index.js';
export * from './crops/index.js';
export * from './image/index.js';
export * from './measures/index.js';
export * from './models/index.js';
export * from './preprocess/index.js';
export * from './qc/index.js';
export * from './synthetic/index.js';
export * from './tables/index.js';
export * from './train/index.js';
export type { Image2D } from './types.js';

/**
 * `@cellshape/cloud`: the dynamic graph convolutional FoldingNet (DFN) point-cloud
 * autoencoder of cellshape, trained and run on tfjs.
 *
 * @module @cellshape/cloud
 */

export * from './data/index.js';
export * from './interop/index.js';
export * from './losses/index.js';
export * from './model/index.js';
export * from './training/index.js';

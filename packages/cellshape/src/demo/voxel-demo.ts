import type { RunModelOptions } from '../run/train-run-options.js';

/**
 * The voxel flavour of the demo (`cellshape demo --model voxel`): the same synthetic label
 * images, read directly as cubes (one object per label, no conversion), and a small 3-D
 * convolutional autoencoder sized to finish in about a minute on two CPU cores.
 */

/** Settings of the voxel demo: the data, the model and the training. */
export interface VoxelDemoSettings {
  plates: number;
  cellsPerWell: number;
  /** Edge of each synthetic cell's slot, and of the model's cube, in voxels. */
  cellSize: number;
  /** Channels of the encoder and decoder layers. */
  filters: string;
  features: number;
  epochs: number;
  batchSize: number;
  lr: number;
  idecEpochs: number;
  idecLr: number;
}

/** The voxel demo's default settings (`full`) and those of `quick: true`. */
export const VOXEL_DEMO_PRESETS: Readonly<Record<'full' | 'quick', Readonly<VoxelDemoSettings>>> = {
  full: {
    plates: 1,
    cellsPerWell: 6,
    cellSize: 24,
    filters: '4,8,16',
    features: 8,
    epochs: 8,
    batchSize: 8,
    lr: 3e-3,
    idecEpochs: 2,
    idecLr: 1e-4,
  },
  quick: {
    plates: 1,
    cellsPerWell: 4,
    cellSize: 16,
    filters: '4,8,8',
    features: 4,
    epochs: 1,
    batchSize: 16,
    lr: 1e-3,
    idecEpochs: 1,
    idecLr: 1e-4,
  },
};

/**
 * The voxel demo's model (the rest of the run is the cloud demo's: K = the families, IDEC with
 * frozen batch norm): label images split by label, cubes of the slot size.
 */
export function voxelDemoModel(o: VoxelDemoSettings): RunModelOptions {
  return {
    family: 'voxel',
    settings: {
      // Each label of a well image is a cell; its id `plate<p>/<treatment>_<label>` is the
      // metadata's serialNumber.
      objects: 'labels',
      cubeSize: o.cellSize,
      filters: o.filters,
      features: o.features,
    },
  };
}

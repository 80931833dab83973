/** Chamfer losses of the point-cloud autoencoders and the nearest-neighbour search behind them. */
export {
  type ChamferForm,
  type ChamferLossOptions,
  chamferLoss,
  DEFAULT_CHAMFER_LOSS_OPTIONS,
} from './chamfer.js';
export {
  type NearestNeighbourIndices,
  nearestNeighboursReference,
} from './nearest-neighbours-reference.js';

/** Chamfer losses of the point-cloud autoencoders and the nearest-neighbour search behind them. */
export {
  type ChamferForm,
  type ChamferOptions,
  chamferLoss,
  DEFAULT_CHAMFER_OPTIONS,
} from './chamfer.js';
export { type NearestNeighbours, nearestNeighbours } from './nearest-neighbours.js';

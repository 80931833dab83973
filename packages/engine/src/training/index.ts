export type { Autoencoder, StateArray, StateDict, TrainableModule } from './module.js';

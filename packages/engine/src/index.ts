/**
 * `@cellshape/engine`: the tfjs layer shared by the model packages (cloud, cluster, voxel,
 * profile): backend selection, custom kernels, PyTorch-parity building blocks (`BatchNorm`,
 * `Linear`, `Conv3d`, … with PyTorch layouts, init and state dicts via `ModuleState`), the model
 * and dataset contracts (`Encoder`, `Autoencoder`, `Dataset`), Adam with learning-rate
 * schedules, the one training loop with checkpoints and resume, and PyTorch `.pt` interop.
 * Test helpers are in `@cellshape/engine/test`.
 *
 * ```ts
 * import { encodeDataset, selectBackend, trainLoop } from '@cellshape/engine';
 * await selectBackend(); // wasm (threaded SIMD) unless tfjs-node is installed
 * await trainLoop({
 *   module: model, epochs: 10, seed: 0,
 *   data: (epoch) => dataset.batches({ batchSize: 16, shuffle: true, seed: 0, epoch, dropLast: false }),
 *   loss: (m, batch) => model.reconstructionLoss(batch.input, model.decode(model.encode(batch.input))),
 *   lrSchedule: { kind: 'warmupCosine', warmupSteps: 100, totalSteps: 1000 },
 * });
 * const { features } = await encodeDataset(model, dataset); // n × F, dataset order
 * ```
 *
 * @module @cellshape/engine
 */
export * from './backend/index.js';
export * from './kernels/index.js';
export * from './nn/index.js';
export * from './optim/index.js';
export * from './torch/index.js';
export * from './training/index.js';

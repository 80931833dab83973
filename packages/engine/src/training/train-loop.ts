import { existsSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  FileSystemError,
  IncompatibleError,
  InvalidArgumentError,
  invalidArgument,
  type ProgressCallback,
  reportProgress,
} from '@cellshape/core';
import {
  dispose,
  keep,
  mul,
  type Scalar,
  sum,
  type Tensor,
  Tensor as TensorClass,
  variableGrads,
} from '@tensorflow/tfjs-core';
import { registerGradients } from '../backend/index.js';
import { Adam, type AdamOptions } from '../optim/index.js';
import {
  CHECKPOINT_EXTENSION,
  type CheckpointInput,
  loadCheckpoint,
  saveCheckpoint,
} from './checkpoint.js';
import type { TrainableModule } from './module.js';

/**
 * The one training loop of cellshape, shared by every model package (point-cloud and voxel
 * autoencoders, IDEC, 2D embeddings): seeded epochs of batches, gradients over the module's
 * named parameters, an optimizer step, optional exponential learning-rate decay, a JSON-lines
 * log, atomic `last` / `best` checkpoints and exact resume.
 *
 * ```ts
 * const result = await trainLoop({
 *   module: model,
 *   epochs: 10,
 *   seed: 42,
 *   data: (epoch) => dataset.batches({ batchSize: 16, shuffle: true, seed: 42, epoch }),
 *   loss: (m, batch) => chamferLoss(batch.points, m.decode(m.encode(batch.points))),
 *   checkpointDir: 'runs/dfn',
 * });
 * ```
 */

/** What an optimizer must offer the loop; `Adam` of `@cellshape/engine` is one. */
export interface TrainOptimizer {
  /** Applies one update from gradients keyed by PyTorch parameter name. */
  step(grads: Map<string, Tensor>): void;
  /** The current learning rate (the loop sets it when `lrDecay` is used). */
  lr: number;
  /** The optimizer's state as plain data and arrays (saved in checkpoints). */
  stateDict(): unknown;
  /** Restores a state returned by `stateDict()`. */
  loadStateDict(state: unknown): void;
  /** Frees the optimizer's tensors. */
  dispose(): void;
}

/** A loss with named parts: `total` is differentiated, every part is logged. */
export type LossParts = { total: Scalar } & Record<string, Scalar>;

/** Returned by a hook to end training early. */
export interface StopSignal {
  stop: true;
  /** Why training stopped (logged and returned), e.g. `'label change 0.0008 < tol 0.001'`. */
  reason: string;
}

/** What a hook may return (or resolve to): nothing to go on, a {@link StopSignal} to stop. */
// biome-ignore lint/suspicious/noConfusingVoidType: a hook with no return statement returns void.
export type HookResult = StopSignal | undefined | void;

/** Where the loop is: passed to hooks and to the loss function. */
export interface LoopContext {
  /** Zero-based epoch index. */
  epoch: number;
  /** Optimizer steps completed before this point (over the whole run, resume included). */
  step: number;
  /** Learning rate in use. */
  lr: number;
}

/** A step in progress: the context plus the batch. */
export interface StepContext<B> extends LoopContext {
  /** The batch (its tensors are disposed by the loop after the step). */
  batch: B;
  /** Zero-based index of the batch within the epoch. */
  batchIndex: number;
}

/** A finished step, as `afterStep` sees it. */
export interface StepReport<B> extends StepContext<B> {
  /** The step's loss, multiplied by `logScale(batch)`. */
  loss: number;
  /** The named loss parts (also scaled); empty when the loss returns a plain scalar. */
  parts: Record<string, number>;
}

/** One line of `log.jsonl`, and what `afterEpoch` and the result report per epoch. */
export interface EpochSummary {
  /** Zero-based epoch index. */
  epoch: number;
  /** Optimizer steps completed at the end of the epoch. */
  step: number;
  /** Mean over the epoch's batches of the scaled loss. */
  loss: number;
  /** Means of the scaled loss parts. */
  parts: Record<string, number>;
  /** Learning rate used in the epoch. */
  lr: number;
  /** Batches trained in the epoch. */
  batches: number;
  /** Wall-clock seconds the epoch took. */
  seconds: number;
  /** ISO time at which the epoch ended. */
  time: string;
  /** True when this epoch set a new lowest loss (and was saved as `best`). */
  best: boolean;
}

/** Options of {@link trainLoop}. `B` is the batch type the data source yields. */
export interface TrainLoopOptions<B> {
  /** The model to train (its `namedParameters()` are optimised). */
  module: TrainableModule;
  /**
   * The batches of one epoch. For exact resume the order must be a function of (seed, epoch)
   * only, e.g. `(epoch) => dataset.batches({ shuffle: true, seed, epoch })`.
   */
  data: (epoch: number) => AsyncIterable<B> | Iterable<B>;
  /** The loss of a batch: a `tf.Scalar`, or `{ total, ...parts }` to log parts too. */
  loss: (module: TrainableModule, batch: B, context: StepContext<B>) => Scalar | LossParts;
  /** Total number of epochs (a resumed run continues up to this many). */
  epochs: number;
  /** Seed of the run, recorded in checkpoints; resuming with another seed is refused. Default 0. */
  seed?: number;
  /**
   * The optimizer. Default: `new Adam(module.namedParameters(), adam)`, created and disposed by
   * the loop. A caller-supplied optimizer is not disposed.
   */
  optimizer?: TrainOptimizer;
  /** Options of the default Adam (lr 1e-4, betas [0.9, 0.999], eps 1e-8, weight decay 1e-6). */
  adam?: AdamOptions;
  /** Exponential learning-rate decay per epoch: lr of epoch e = lr · lrDecay^e. Default 1 (off). */
  lrDecay?: number;
  /** Factor applied to every logged loss of a batch, e.g. `1 / batchSize`. Default 1. */
  logScale?: (batch: B) => number;
  /** Folder for `last.ckpt` (every epoch) and `best.ckpt` (lowest mean loss). Default: none. */
  checkpointDir?: string;
  /** A checkpoint to resume from; `true` means `<checkpointDir>/last.ckpt`. Default: none. */
  resume?: string | boolean;
  /** JSON-lines log file; default `<checkpointDir>/log.jsonl`, `false` for none. */
  logPath?: string | false;
  /** Progress per batch (`phase: 'batch'`) and per epoch (`phase: 'epoch'`). */
  onProgress?: ProgressCallback;
  /** Batches per epoch, when known, for progress totals. */
  stepsPerEpoch?: number;
  /** Called before each epoch (after the learning rate is set). */
  beforeEpoch?: (context: LoopContext) => HookResult | Promise<HookResult>;
  /** Called before each step, e.g. to refresh a target distribution every T steps. */
  beforeStep?: (context: StepContext<B>) => HookResult | Promise<HookResult>;
  /** Called after each optimizer step. */
  afterStep?: (report: StepReport<B>) => HookResult | Promise<HookResult>;
  /** Called after each epoch, after its checkpoints are written. */
  afterEpoch?: (summary: EpochSummary) => HookResult | Promise<HookResult>;
  /** Extra state saved in checkpoints (plain data, typed arrays, `{ data, shape }`, Maps). */
  extraState?: () => unknown;
  /** Restores the state returned by `extraState` when resuming. */
  restoreExtraState?: (state: unknown) => void | Promise<void>;
}

/** Defaults of {@link TrainLoopOptions}. */
export const DEFAULT_TRAIN_LOOP_OPTIONS = {
  seed: 0,
  lrDecay: 1,
} as const;

/** What {@link trainLoop} returns. */
export interface TrainLoopResult {
  /** Epochs completed, counting those of a resumed checkpoint. */
  epochs: number;
  /** Optimizer steps completed. */
  step: number;
  /** Mean loss of the last epoch trained (NaN when no epoch ran in this call). */
  loss: number;
  /** Lowest mean epoch loss. */
  bestLoss: number;
  /** Summaries of the epochs trained in this call. */
  history: EpochSummary[];
  /** Set when a hook stopped training early. */
  stopped?: { reason: string; epoch: number; step: number };
  /** Paths of the checkpoints written, when `checkpointDir` is set. */
  checkpoints?: { last: string; best: string };
}

/** Disposes the tensors of a batch: top-level values, nested plain objects and arrays. */
export function disposeBatch(batch: unknown): void {
  if (batch instanceof TensorClass) {
    batch.dispose();
    return;
  }
  if (batch === null || typeof batch !== 'object' || ArrayBuffer.isView(batch)) return;
  if (Array.isArray(batch)) {
    for (const item of batch) disposeBatch(item);
    return;
  }
  const proto = Object.getPrototypeOf(batch);
  if (proto !== Object.prototype && proto !== null) return;
  for (const value of Object.values(batch)) disposeBatch(value);
}

function isStop(result: unknown): result is StopSignal {
  return (
    result !== null && typeof result === 'object' && (result as { stop?: unknown }).stop === true
  );
}

function validate<B>(options: TrainLoopOptions<B>): void {
  const fn = 'trainLoop';
  if (options === null || typeof options !== 'object')
    throw invalidArgument(fn, 'options', 'an object', options);
  const m = options.module as Partial<TrainableModule> | undefined;
  if (!m || typeof m.namedParameters !== 'function' || typeof m.stateDict !== 'function')
    throw invalidArgument(fn, 'module', 'a TrainableModule', m);
  if (typeof options.data !== 'function')
    throw invalidArgument(fn, 'data', 'a function (epoch) => iterable of batches', options.data);
  if (typeof options.loss !== 'function')
    throw invalidArgument(fn, 'loss', 'a function (module, batch) => tf.Scalar', options.loss);
  if (!Number.isInteger(options.epochs) || options.epochs < 0)
    throw invalidArgument(fn, 'epochs', 'a non-negative integer', options.epochs);
  if (options.seed !== undefined && !Number.isFinite(options.seed))
    throw invalidArgument(fn, 'seed', 'a finite number', options.seed);
  const gamma = options.lrDecay;
  if (gamma !== undefined && !(Number.isFinite(gamma) && gamma > 0 && gamma <= 1))
    throw invalidArgument(fn, 'lrDecay', 'a number in (0, 1]', gamma);
  if (options.resume === true && options.checkpointDir === undefined)
    throw invalidArgument(fn, 'resume', "a path when 'checkpointDir' is not set", true);
  if (options.checkpointDir !== undefined && typeof options.checkpointDir !== 'string')
    throw invalidArgument(fn, 'checkpointDir', 'a folder path', options.checkpointDir);
}

/**
 * Runs the loss under `variableGrads`, keeping the parts for logging. An error inside the loss
 * is caught and re-thrown after the gradient tape has been released: thrown straight out of
 * `variableGrads`, it would leak every tensor the tape saved for the backward pass.
 */
function computeGradients<B>(
  options: TrainLoopOptions<B>,
  variables: ReturnType<TrainableModule['namedParameters']>,
  context: StepContext<B>,
): { value: Scalar; parts: Record<string, Scalar>; grads: Map<string, Tensor> } {
  const parts: Record<string, Scalar> = {};
  let failure: unknown;
  const { value, grads } = variableGrads(
    () => {
      try {
        const out = options.loss(options.module, context.batch, context);
        const total = out instanceof TensorClass ? out : (out as LossParts | undefined)?.total;
        if (!(total instanceof TensorClass) || total.rank !== 0) {
          throw invalidArgument(
            'trainLoop',
            'loss',
            'a function returning a tf.Scalar or { total: tf.Scalar, ...parts }',
            out,
          );
        }
        if (!(out instanceof TensorClass)) {
          for (const [name, part] of Object.entries(out)) {
            if (name !== 'total' && part instanceof TensorClass) parts[name] = keep(part);
          }
        }
        return total as Scalar;
      } catch (error) {
        failure = error;
        // A stand-in connected to the parameters, so that the backward pass runs and cleans up.
        return mul(sum(variables[0]![1]), 0) as Scalar;
      }
    },
    variables.map(([, v]) => v),
  );
  if (failure !== undefined) {
    dispose([value, ...Object.values(parts)]);
    dispose(Object.values(grads).filter((g): g is Tensor => g !== null));
    throw failure;
  }
  const named = new Map<string, Tensor>();
  for (const [name, variable] of variables) {
    const grad = grads[variable.name];
    if (grad) named.set(name, grad);
  }
  return { value, parts, grads: named };
}

/**
 * Trains `options.module` for `options.epochs` epochs (see {@link TrainLoopOptions}); writes
 * checkpoints and the log when asked, resumes from a checkpoint, and returns the loss history.
 * Resuming a run gives the same weights and losses as the uninterrupted run (same seed, same
 * backend), because the batch order depends only on (seed, epoch) and checkpoints hold the
 * weights, buffers and optimizer state exactly.
 */
export async function trainLoop<B>(options: TrainLoopOptions<B>): Promise<TrainLoopResult> {
  const fn = 'trainLoop';
  validate(options);
  registerGradients();
  const seed = options.seed ?? DEFAULT_TRAIN_LOOP_OPTIONS.seed;
  const gamma = options.lrDecay ?? DEFAULT_TRAIN_LOOP_OPTIONS.lrDecay;
  const { module, checkpointDir } = options;
  const variables = module.namedParameters();
  if (variables.length === 0)
    throw invalidArgument(fn, 'module', 'a module with at least one trainable parameter');
  const ownsOptimizer = options.optimizer === undefined;
  const optimizer: TrainOptimizer = options.optimizer ?? new Adam(variables, options.adam);
  const logPath =
    options.logPath === false
      ? undefined
      : (options.logPath ?? (checkpointDir ? join(checkpointDir, 'log.jsonl') : undefined));
  const paths = checkpointDir
    ? {
        last: join(checkpointDir, `last${CHECKPOINT_EXTENSION}`),
        best: join(checkpointDir, `best${CHECKPOINT_EXTENSION}`),
      }
    : undefined;

  const wasTraining = module.training;
  try {
    let startEpoch = 0;
    let step = 0;
    let bestLoss = Number.POSITIVE_INFINITY;
    let baseLr = optimizer.lr;
    if (options.resume !== undefined && options.resume !== false) {
      const path = options.resume === true ? paths!.last : options.resume;
      if (!existsSync(path)) {
        throw new FileSystemError(`${fn}: the checkpoint to resume from does not exist: ${path}`, {
          fn,
          arg: 'resume',
        });
      }
      const checkpoint = await loadCheckpoint(path);
      if (options.seed !== undefined && checkpoint.seed !== options.seed) {
        throw new IncompatibleError(
          `${fn}: the checkpoint ${path} was trained with seed ${checkpoint.seed}, options.seed is ${options.seed}; resume with the same seed`,
          { fn, arg: 'seed' },
        );
      }
      module.loadStateDict(checkpoint.stateDict, { strict: true });
      if (checkpoint.optimizer !== undefined) optimizer.loadStateDict(checkpoint.optimizer);
      if (checkpoint.extra !== undefined && options.restoreExtraState)
        await options.restoreExtraState(checkpoint.extra);
      startEpoch = checkpoint.epoch;
      step = checkpoint.step;
      bestLoss = checkpoint.bestLoss;
      baseLr = checkpoint.baseLr ?? baseLr;
    }

    const history: EpochSummary[] = [];
    let lastLoss = Number.NaN;
    let stopped: TrainLoopResult['stopped'];
    module.train(true);
    for (let epoch = startEpoch; epoch < options.epochs && !stopped; epoch++) {
      const started = performance.now();
      const lr = gamma === 1 ? baseLr : baseLr * gamma ** epoch;
      optimizer.lr = lr;
      const stopBefore = await options.beforeEpoch?.({ epoch, step, lr });
      if (isStop(stopBefore)) {
        stopped = { reason: stopBefore.reason, epoch, step };
        break;
      }
      let sum = 0;
      const partSums: Record<string, number> = {};
      let batchIndex = 0;
      for await (const batch of options.data(epoch)) {
        try {
          const context: StepContext<B> = { epoch, step, lr, batch, batchIndex };
          const stopStep = await options.beforeStep?.(context);
          if (isStop(stopStep)) {
            stopped = { reason: stopStep.reason, epoch, step };
            break;
          }
          const { value, parts, grads } = computeGradients(options, variables, context);
          const scale = options.logScale ? options.logScale(batch) : 1;
          const loss = value.dataSync()[0]! * scale;
          const partValues: Record<string, number> = {};
          for (const [name, part] of Object.entries(parts))
            partValues[name] = part.dataSync()[0]! * scale;
          dispose(value);
          dispose(Object.values(parts));
          if (!Number.isFinite(loss)) {
            dispose([...grads.values()]);
            throw new InvalidArgumentError(
              `${fn}: the loss became ${loss} at epoch ${epoch}, batch ${batchIndex} (step ${step}); lower the learning rate or check the input for NaN`,
              { fn, arg: 'loss' },
            );
          }
          optimizer.step(grads);
          dispose([...grads.values()]);
          step++;
          sum += loss;
          for (const [name, v] of Object.entries(partValues))
            partSums[name] = (partSums[name] ?? 0) + v;
          batchIndex++;
          const progress = {
            phase: 'batch',
            done: batchIndex,
            message: `epoch ${epoch + 1}/${options.epochs} loss ${loss.toPrecision(5)}`,
            metrics: { loss, epoch, step, lr, ...partValues },
          };
          reportProgress(
            options.onProgress,
            options.stepsPerEpoch === undefined
              ? progress
              : { ...progress, total: options.stepsPerEpoch },
          );
          const stopAfter = await options.afterStep?.({
            ...context,
            step,
            loss,
            parts: partValues,
          });
          if (isStop(stopAfter)) stopped = { reason: stopAfter.reason, epoch, step };
        } finally {
          disposeBatch(batch);
        }
        if (stopped) break;
      }
      if (batchIndex === 0) {
        if (stopped) break;
        throw invalidArgument(fn, 'data', `to yield at least one batch in epoch ${epoch}`);
      }
      const mean = sum / batchIndex;
      const partMeans: Record<string, number> = {};
      for (const [name, v] of Object.entries(partSums)) partMeans[name] = v / batchIndex;
      const best = mean < bestLoss;
      if (best) bestLoss = mean;
      lastLoss = mean;
      if (paths) {
        const checkpoint: CheckpointInput = {
          config: module.config(),
          stateDict: module.stateDict(),
          optimizer: optimizer.stateDict(),
          epoch: epoch + 1,
          step,
          loss: mean,
          bestLoss,
          seed,
          lr,
          baseLr,
          extra: options.extraState?.(),
        };
        await saveCheckpoint(paths.last, checkpoint);
        if (best) await saveCheckpoint(paths.best, checkpoint);
      }
      const summary: EpochSummary = {
        epoch,
        step,
        loss: mean,
        parts: partMeans,
        lr,
        batches: batchIndex,
        seconds: (performance.now() - started) / 1000,
        time: new Date().toISOString(),
        best,
      };
      history.push(summary);
      if (logPath) await appendLog(logPath, summary, stopped?.reason);
      reportProgress(options.onProgress, {
        phase: 'epoch',
        done: epoch + 1,
        total: options.epochs,
        message: `epoch ${epoch + 1}/${options.epochs} loss ${mean.toPrecision(5)}`,
        metrics: { loss: mean, lr, seconds: summary.seconds, ...partMeans },
      });
      const stopEpoch = await options.afterEpoch?.(summary);
      if (isStop(stopEpoch) && !stopped) stopped = { reason: stopEpoch.reason, epoch, step };
    }
    const result: TrainLoopResult = {
      epochs: history.length > 0 ? history[history.length - 1]!.epoch + 1 : startEpoch,
      step,
      loss: lastLoss,
      bestLoss,
      history,
    };
    if (stopped) result.stopped = stopped;
    if (paths) result.checkpoints = paths;
    return result;
  } finally {
    module.train(wasTraining);
    if (ownsOptimizer) optimizer.dispose();
  }
}

async function appendLog(path: string, summary: EpochSummary, stopReason?: string): Promise<void> {
  const { epoch, step, loss, parts, lr, batches, seconds, time, best } = summary;
  const line = { ...parts, epoch, step, loss, lr, batches, seconds, time, best };
  const record = stopReason === undefined ? line : { ...line, stopped: stopReason };
  try {
    await mkdir(dirname(path), { recursive: true });
    await appendFile(path, `${JSON.stringify(record)}\n`);
  } catch (error) {
    throw new FileSystemError(`trainLoop: could not append to the log ${JSON.stringify(path)}`, {
      fn: 'trainLoop',
      arg: 'logPath',
      cause: error,
    });
  }
}

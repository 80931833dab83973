import { existsSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  checkInteger,
  checkNumber,
  checkObject,
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
  checkGamma,
  checkLrSchedule,
  type LrSchedule,
  type LrScheduleRecord,
  lrScheduleRecord,
  sameLrSchedule,
  scheduledLr,
} from '../optim/lr-schedule.js';
import {
  CHECKPOINT_EXTENSION,
  type Checkpoint,
  loadCheckpoint,
  saveCheckpoint,
} from './checkpoint.js';
import type { TrainableModule } from './module.js';

/**
 * The one training loop of cellshape, shared by every model package (point-cloud and voxel
 * autoencoders, IDEC, 2D embeddings): seeded epochs of batches, gradients over the module's
 * named parameters, a learning-rate schedule applied before every optimizer step (constant,
 * exponential per epoch, linear warm-up, warm-up + cosine, or a function), a JSON-lines log,
 * atomic `last` / `best` checkpoints and exact resume.
 *
 * ```ts
 * const result = await trainLoop({
 *   module: model,
 *   epochs: 10,
 *   seed: 42,
 *   data: (epoch) => dataset.batches({ batchSize: 16, shuffle: true, seed: 42, epoch }),
 *   loss: (m, batch) => chamferLoss(batch.points, m.decode(m.encode(batch.points))),
 *   checkpointDir: 'runs/dfn',
 *   lrSchedule: { kind: 'warmupCosine', warmupSteps: 50, totalSteps: 10 * stepsPerEpoch },
 * });
 * ```
 */

/** What an optimizer must offer the loop; `Adam` of `@cellshape/engine` is one. */
export interface TrainOptimizer {
  /** Applies one update from gradients keyed by PyTorch parameter name. */
  step(grads: Map<string, Tensor>): void;
  /** The learning rate of the next step (the loop sets it before every step from its schedule). */
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
  /** Learning rate of the next optimizer step (at an epoch's start: of its first step). */
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
  /**
   * Learning rate of the epoch's last optimizer step (under a per-epoch schedule such as
   * `exponential`, the learning rate of the whole epoch).
   */
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
  /**
   * The learning rate of every optimizer step, set on the optimizer before the step from the
   * run's base learning rate (the optimizer's `lr` when the run started, e.g. `adam.lr`):
   * `{ kind: 'constant' }`, `{ kind: 'exponential', gamma }` (per epoch), `{ kind:
   * 'linearWarmup', warmupSteps }`, `{ kind: 'warmupCosine', warmupSteps, totalSteps, minLr }`
   * or a pure function of `{ step, epoch, stepsPerEpoch, baseLr }` (see {@link LrSchedule}).
   * Checkpoints record it: resuming without a schedule (and without `lrDecay`) continues the
   * recorded one; resuming with another is refused. Default: constant.
   */
  lrSchedule?: LrSchedule;
  /**
   * Exponential learning-rate decay per epoch, the shorthand of `lrSchedule: { kind:
   * 'exponential', gamma: lrDecay }`: lr of epoch e = lr · lrDecay^e. 1 is constant. Not
   * together with another `lrSchedule`. Default 1 (off).
   */
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
  lrSchedule: { kind: 'constant' },
} as const satisfies Partial<TrainLoopOptions<unknown>>;

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

/** The paths of a run's `last` and `best` checkpoints. */
type CheckpointPaths = NonNullable<TrainLoopResult['checkpoints']>;

/** What {@link resolveOptions} settles once, before anything is restored or trained. */
interface LoopSetup<B> {
  options: TrainLoopOptions<B>;
  seed: number;
  /** The schedule the options ask for; undefined when they name none (resume may supply it). */
  requestedSchedule: LrSchedule | undefined;
  variables: ReturnType<TrainableModule['namedParameters']>;
  optimizer: TrainOptimizer;
  ownsOptimizer: boolean;
  logPath: string | undefined;
  paths: CheckpointPaths | undefined;
}

/** Where the run is: restored from a checkpoint, then advanced by every step and epoch. */
interface LoopState {
  startEpoch: number;
  /** Optimizer steps completed. */
  step: number;
  bestLoss: number;
  /** The base learning rate the schedule scales. */
  baseLr: number;
  schedule: LrSchedule;
  /** The schedule as checkpoints record it. */
  scheduleRecord: LrScheduleRecord;
  /** Mean loss of the last epoch trained in this call. */
  lastLoss: number;
  history: EpochSummary[];
  stopped?: NonNullable<TrainLoopResult['stopped']>;
}

/** The running sums of an epoch's steps. */
interface EpochTotals {
  sum: number;
  partSums: Record<string, number>;
  batches: number;
  /** Learning rate of the latest step. */
  lr: number;
}

function validate<B>(options: TrainLoopOptions<B>): void {
  const fn = 'trainLoop';
  checkObject(fn, 'options', options);
  const m = options.module as Partial<TrainableModule> | undefined;
  if (!m || typeof m.namedParameters !== 'function' || typeof m.stateDict !== 'function')
    throw invalidArgument(fn, 'module', 'a TrainableModule', m);
  if (typeof options.data !== 'function')
    throw invalidArgument(fn, 'data', 'a function (epoch) => iterable of batches', options.data);
  if (typeof options.loss !== 'function')
    throw invalidArgument(fn, 'loss', 'a function (module, batch) => tf.Scalar', options.loss);
  checkInteger(fn, 'epochs', options.epochs, { min: 0 });
  if (options.seed !== undefined) checkNumber(fn, 'seed', options.seed);
  if (options.lrDecay !== undefined) checkGamma(fn, 'lrDecay', options.lrDecay);
  if (options.lrSchedule !== undefined) {
    checkLrSchedule(fn, 'lrSchedule', options.lrSchedule);
    if (options.lrDecay !== undefined && options.lrDecay !== 1)
      throw invalidArgument(
        fn,
        'lrDecay',
        "left out when 'lrSchedule' is given (use { kind: 'exponential', gamma })",
        options.lrDecay,
      );
  }
  if (options.resume === true && options.checkpointDir === undefined)
    throw invalidArgument(fn, 'resume', "a path when 'checkpointDir' is not set", true);
  if (options.checkpointDir !== undefined && typeof options.checkpointDir !== 'string')
    throw invalidArgument(fn, 'checkpointDir', 'a folder path', options.checkpointDir);
}

/** Stage 1: checks the options and settles the optimizer, the schedule and the output paths. */
function resolveOptions<B>(options: TrainLoopOptions<B>): LoopSetup<B> {
  validate(options);
  registerGradients();
  const { module, checkpointDir } = options;
  const variables = module.namedParameters();
  if (variables.length === 0)
    throw invalidArgument('trainLoop', 'module', 'a module with at least one trainable parameter');
  const { lrSchedule, lrDecay } = options;
  // `lrDecay: 1` is the constant schedule, not an exponential one with gamma 1.
  const fromDecay: LrSchedule | undefined =
    lrDecay === undefined
      ? undefined
      : lrDecay === 1
        ? DEFAULT_TRAIN_LOOP_OPTIONS.lrSchedule
        : { kind: 'exponential', gamma: lrDecay };
  const requestedSchedule = lrSchedule ?? fromDecay;
  return {
    options,
    seed: options.seed ?? DEFAULT_TRAIN_LOOP_OPTIONS.seed,
    requestedSchedule,
    variables,
    optimizer: options.optimizer ?? new Adam(variables, options.adam),
    ownsOptimizer: options.optimizer === undefined,
    logPath:
      options.logPath === false
        ? undefined
        : (options.logPath ?? (checkpointDir ? join(checkpointDir, 'log.jsonl') : undefined)),
    paths: checkpointDir
      ? {
          last: join(checkpointDir, `last${CHECKPOINT_EXTENSION}`),
          best: join(checkpointDir, `best${CHECKPOINT_EXTENSION}`),
        }
      : undefined,
  };
}

/**
 * Stage 2: the state the run starts from: fresh, or restored from the checkpoint to resume
 * (weights, buffers, optimizer state, hooks' extra state, counters, base lr and schedule).
 */
async function restoreState<B>(setup: LoopSetup<B>): Promise<LoopState> {
  const { options, optimizer } = setup;
  const schedule = setup.requestedSchedule ?? DEFAULT_TRAIN_LOOP_OPTIONS.lrSchedule;
  const state: LoopState = {
    startEpoch: 0,
    step: 0,
    bestLoss: Number.POSITIVE_INFINITY,
    baseLr: optimizer.lr,
    schedule,
    scheduleRecord: lrScheduleRecord(schedule),
    lastLoss: Number.NaN,
    history: [],
  };
  if (options.resume === undefined || options.resume === false) return state;
  const fn = 'trainLoop';
  const path = options.resume === true ? setup.paths!.last : options.resume;
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
  state.schedule = resumedSchedule(setup.requestedSchedule, checkpoint, path);
  state.scheduleRecord = lrScheduleRecord(state.schedule);
  options.module.loadStateDict(checkpoint.stateDict, { strict: true });
  if (checkpoint.optimizer !== undefined) optimizer.loadStateDict(checkpoint.optimizer);
  if (checkpoint.extra !== undefined && options.restoreExtraState)
    await options.restoreExtraState(checkpoint.extra);
  state.startEpoch = checkpoint.epoch;
  state.step = checkpoint.step;
  state.bestLoss = checkpoint.bestLoss;
  state.baseLr = checkpoint.baseLr ?? state.baseLr;
  return state;
}

/**
 * The schedule of a resumed run: the one the options ask for, which must be the recorded one,
 * or the recorded one when the options name none (a function cannot be recorded, only noted).
 */
function resumedSchedule(
  requested: LrSchedule | undefined,
  checkpoint: Checkpoint,
  path: string,
): LrSchedule {
  const fn = 'trainLoop';
  const recorded = checkpoint.lrSchedule;
  if (recorded === undefined) return requested ?? DEFAULT_TRAIN_LOOP_OPTIONS.lrSchedule;
  if (requested === undefined) {
    if (recorded.kind === 'function')
      throw new IncompatibleError(
        `${fn}: the checkpoint ${path} was trained with a learning-rate schedule function; pass the same function as 'lrSchedule' to resume`,
        { fn, arg: 'lrSchedule' },
      );
    return checkLrSchedule(fn, `lrSchedule of ${path}`, recorded);
  }
  if (!sameLrSchedule(lrScheduleRecord(requested), recorded))
    throw new IncompatibleError(
      `${fn}: the checkpoint ${path} was trained with the learning-rate schedule ${JSON.stringify(recorded)}, the options give ${JSON.stringify(lrScheduleRecord(requested))}; resume with the same schedule (or leave 'lrSchedule' and 'lrDecay' out)`,
      { fn, arg: 'lrSchedule' },
    );
  return requested;
}

/** Sets the optimizer's learning rate for the next step (the step `state.step` of `epoch`). */
function applyLr<B>(setup: LoopSetup<B>, state: LoopState, epoch: number): number {
  const lr = scheduledLr(
    state.schedule,
    {
      step: state.step,
      epoch,
      stepsPerEpoch: setup.options.stepsPerEpoch,
      baseLr: state.baseLr,
    },
    'trainLoop',
  );
  setup.optimizer.lr = lr;
  return lr;
}

/**
 * Stage 3: one epoch: the `beforeEpoch` hook, then a step per batch until the data ends or a
 * hook stops. Returns the epoch's sums, or undefined when a hook stopped it before any step.
 */
async function runEpoch<B>(
  setup: LoopSetup<B>,
  state: LoopState,
  epoch: number,
): Promise<EpochTotals | undefined> {
  const { options } = setup;
  const lr = applyLr(setup, state, epoch);
  const stopBefore = await options.beforeEpoch?.({ epoch, step: state.step, lr });
  if (isStop(stopBefore)) {
    state.stopped = { reason: stopBefore.reason, epoch, step: state.step };
    return undefined;
  }
  const totals: EpochTotals = { sum: 0, partSums: {}, batches: 0, lr };
  for await (const batch of options.data(epoch)) {
    try {
      await runStep(setup, state, epoch, batch, totals);
    } finally {
      disposeBatch(batch);
    }
    if (state.stopped) break;
  }
  if (totals.batches === 0) {
    if (state.stopped) return undefined;
    throw invalidArgument('trainLoop', 'data', `to yield at least one batch in epoch ${epoch}`);
  }
  return totals;
}

/**
 * Stage 4: one step: the learning rate from the schedule, the `beforeStep` hook, gradients,
 * the optimizer update, progress and the `afterStep` hook.
 */
async function runStep<B>(
  setup: LoopSetup<B>,
  state: LoopState,
  epoch: number,
  batch: B,
  totals: EpochTotals,
): Promise<void> {
  const { options } = setup;
  const lr = applyLr(setup, state, epoch);
  const context: StepContext<B> = {
    epoch,
    step: state.step,
    lr,
    batch,
    batchIndex: totals.batches,
  };
  const stopStep = await options.beforeStep?.(context);
  if (isStop(stopStep)) {
    state.stopped = { reason: stopStep.reason, epoch, step: state.step };
    return;
  }
  const { loss, parts } = optimizerStep(setup, context);
  state.step++;
  totals.sum += loss;
  for (const [name, v] of Object.entries(parts))
    totals.partSums[name] = (totals.partSums[name] ?? 0) + v;
  totals.batches++;
  totals.lr = lr;
  const progress = {
    phase: 'batch',
    done: totals.batches,
    message: `epoch ${epoch + 1}/${options.epochs} loss ${loss.toPrecision(5)}`,
    metrics: { loss, epoch, step: state.step, lr, ...parts },
  };
  reportProgress(
    options.onProgress,
    options.stepsPerEpoch === undefined ? progress : { ...progress, total: options.stepsPerEpoch },
  );
  const stopAfter = await options.afterStep?.({ ...context, step: state.step, loss, parts });
  if (isStop(stopAfter)) state.stopped = { reason: stopAfter.reason, epoch, step: state.step };
}

/**
 * The gradient and optimizer update of one step; returns the scaled loss and its parts.
 *
 * @throws InvalidArgumentError when the loss is not finite (no update is made).
 */
function optimizerStep<B>(
  setup: LoopSetup<B>,
  context: StepContext<B>,
): { loss: number; parts: Record<string, number> } {
  const { options, optimizer } = setup;
  const { value, parts, grads } = computeGradients(options, setup.variables, context);
  const scale = options.logScale ? options.logScale(context.batch) : 1;
  const loss = value.dataSync()[0]! * scale;
  const partValues: Record<string, number> = {};
  for (const [name, part] of Object.entries(parts)) partValues[name] = part.dataSync()[0]! * scale;
  dispose(value);
  dispose(Object.values(parts));
  if (!Number.isFinite(loss)) {
    dispose([...grads.values()]);
    const fn = 'trainLoop';
    throw new InvalidArgumentError(
      `${fn}: the loss became ${loss} at epoch ${context.epoch}, batch ${context.batchIndex} (step ${context.step}); lower the learning rate or check the input for NaN`,
      { fn, arg: 'loss' },
    );
  }
  optimizer.step(grads);
  dispose([...grads.values()]);
  return { loss, parts: partValues };
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
 * Stage 5: the end of an epoch: its means, the `last` / `best` checkpoints, the log line,
 * progress and the `afterEpoch` hook.
 */
async function finishEpoch<B>(
  setup: LoopSetup<B>,
  state: LoopState,
  epoch: number,
  totals: EpochTotals,
  started: number,
): Promise<void> {
  const { options } = setup;
  const mean = totals.sum / totals.batches;
  const partMeans: Record<string, number> = {};
  for (const [name, v] of Object.entries(totals.partSums)) partMeans[name] = v / totals.batches;
  const best = mean < state.bestLoss;
  if (best) state.bestLoss = mean;
  state.lastLoss = mean;
  await saveCheckpoints(setup, state, { epoch, loss: mean, best, lr: totals.lr });
  const summary: EpochSummary = {
    epoch,
    step: state.step,
    loss: mean,
    parts: partMeans,
    lr: totals.lr,
    batches: totals.batches,
    seconds: (performance.now() - started) / 1000,
    time: new Date().toISOString(),
    best,
  };
  state.history.push(summary);
  if (setup.logPath) await appendLog(setup.logPath, summary, state.stopped?.reason);
  reportProgress(options.onProgress, {
    phase: 'epoch',
    done: epoch + 1,
    total: options.epochs,
    message: `epoch ${epoch + 1}/${options.epochs} loss ${mean.toPrecision(5)}`,
    metrics: { loss: mean, lr: totals.lr, seconds: summary.seconds, ...partMeans },
  });
  const stopEpoch = await options.afterEpoch?.(summary);
  if (isStop(stopEpoch) && !state.stopped)
    state.stopped = { reason: stopEpoch.reason, epoch, step: state.step };
}

/** Writes `last` after every epoch and `best` after an epoch with a new lowest loss. */
async function saveCheckpoints<B>(
  setup: LoopSetup<B>,
  state: LoopState,
  epochEnd: { epoch: number; loss: number; best: boolean; lr: number },
): Promise<void> {
  const { options, paths } = setup;
  if (!paths) return;
  const family = options.module.family;
  const checkpoint = {
    config: options.module.config(),
    ...(family === undefined ? {} : { family }),
    stateDict: options.module.stateDict(),
    optimizer: setup.optimizer.stateDict(),
    epoch: epochEnd.epoch + 1,
    step: state.step,
    loss: epochEnd.loss,
    bestLoss: state.bestLoss,
    seed: setup.seed,
    lr: epochEnd.lr,
    baseLr: state.baseLr,
    lrSchedule: state.scheduleRecord,
    extra: options.extraState?.(),
  };
  await saveCheckpoint(paths.last, checkpoint);
  if (epochEnd.best) await saveCheckpoint(paths.best, checkpoint);
}

/** Stage 6: what the call returns. */
function loopResult<B>(setup: LoopSetup<B>, state: LoopState): TrainLoopResult {
  const { history } = state;
  const result: TrainLoopResult = {
    epochs: history.length > 0 ? history[history.length - 1]!.epoch + 1 : state.startEpoch,
    step: state.step,
    loss: state.lastLoss,
    bestLoss: state.bestLoss,
    history,
  };
  if (state.stopped) result.stopped = state.stopped;
  if (setup.paths) result.checkpoints = setup.paths;
  return result;
}

/**
 * Trains `options.module` for `options.epochs` epochs (see {@link TrainLoopOptions}); writes
 * checkpoints and the log when asked, resumes from a checkpoint, and returns the loss history.
 * Resuming a run gives the same learning rates, weights and losses as the uninterrupted run
 * (same seed, same backend), because the batch order depends only on (seed, epoch), the
 * learning rate only on (step, epoch, base lr, schedule), and checkpoints hold the weights,
 * buffers, optimizer state, counters and schedule exactly.
 */
export async function trainLoop<B>(options: TrainLoopOptions<B>): Promise<TrainLoopResult> {
  const setup = resolveOptions(options);
  const { module } = options;
  const wasTraining = module.training;
  try {
    const state = await restoreState(setup);
    module.train(true);
    for (let epoch = state.startEpoch; epoch < options.epochs && !state.stopped; epoch++) {
      const started = performance.now();
      const totals = await runEpoch(setup, state, epoch);
      if (totals === undefined) break;
      await finishEpoch(setup, state, epoch, totals, started);
    }
    return loopResult(setup, state);
  } finally {
    module.train(wasTraining);
    if (setup.ownsOptimizer) setup.optimizer.dispose();
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

import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { FileSystemError, FormatError, IncompatibleError, UnsupportedError } from '@cellshape/core';
import {
  CHECKPOINT_EXTENSION,
  type Encoder,
  loadCheckpoint,
  type StateDict,
} from '@cellshape/engine';
import { isClusteredConfig, readClusteredModel } from './clustered-checkpoint.js';
import type { ModelPlugin } from './model-plugin.js';

/** A setting of the architecture on which an init checkpoint and a run disagree. */
export interface ArchitectureDifference {
  /** The run option, e.g. `'features'` or `'sourcePoints'`. */
  option: string;
  /** Its value in the checkpoint. */
  checkpoint: unknown;
  /** Its value in the run. */
  run: unknown;
}

/** What the weights of {@link initialiseModel} came from. */
export interface InitSource {
  /** Absolute path of the file. */
  path: string;
  /**
   * `'checkpoint'`: a cellshape model checkpoint (`pretrain/best.ckpt`);
   * `'idec-checkpoint'`: the model of a cellshape IDEC or k-means checkpoint (`idec/last.ckpt`);
   * `'pytorch'`: a checkpoint of the family's reference implementation (a cellshape-cloud `.pt`).
   */
  kind: 'checkpoint' | 'idec-checkpoint' | 'pytorch';
  /** Epochs the checkpoint had trained (cellshape checkpoints only). */
  epoch?: number;
}

/** `<path> (autoencoder checkpoint, epoch 12)`, `<path> (PyTorch checkpoint)`, … for notes. */
export function describeInitSource(source: InitSource): string {
  switch (source.kind) {
    case 'checkpoint':
      return `${source.path} (autoencoder checkpoint, epoch ${source.epoch})`;
    case 'idec-checkpoint':
      return `${source.path} (IDEC checkpoint, epoch ${source.epoch}; its autoencoder)`;
    case 'pytorch':
      return `${source.path} (PyTorch checkpoint)`;
    default: {
      const never: never = source.kind;
      return String(never);
    }
  }
}

/**
 * The differences, e.g. `features 8 in the checkpoint, 4 in the run`, with each option named by
 * `name` (the CLI names flags).
 */
export function describeDifferences(
  differences: readonly ArchitectureDifference[],
  name: (option: string) => string = (option) => option,
): string {
  return differences
    .map(
      (d) =>
        `${name(d.option)} ${String(d.checkpoint)} in the checkpoint, ${String(d.run)} in the run`,
    )
    .join('; ');
}

/**
 * An init checkpoint that does not fit the run's model: settings of the architecture differ
 * (`differences`), or the state dict itself does not fit (missing or unexpected parameters,
 * other shapes; `differences` is then empty and `reason` says what).
 */
export class InitMismatchError extends IncompatibleError {
  /** Absolute path of the init checkpoint. */
  readonly path: string;
  /** The settings that differ, named as the run's options. */
  readonly differences: readonly ArchitectureDifference[];
  /** What does not fit, without the function's name. */
  readonly reason: string;

  constructor(
    fn: string,
    path: string,
    differences: readonly ArchitectureDifference[],
    reason: string,
    cause?: unknown,
  ) {
    super(`${fn}: the init checkpoint ${path} does not fit the model of the options: ${reason}`, {
      fn,
      arg: 'init',
      ...(cause === undefined ? {} : { cause }),
    });
    this.path = path;
    this.differences = differences;
    this.reason = reason;
  }
}

/** The settings of `run` that `checkpoint` gives another value (keys of either). */
function architectureDifferences(
  checkpoint: Record<string, unknown>,
  run: Record<string, unknown>,
): ArchitectureDifference[] {
  const options = [...new Set([...Object.keys(run), ...Object.keys(checkpoint)])];
  return options
    .filter((option) => checkpoint[option] !== run[option])
    .map((option) => ({ option, checkpoint: checkpoint[option], run: run[option] }));
}

/** A read error of the init checkpoint (corrupt, not a checkpoint), naming it: same class, `arg: 'init'`. */
function unreadable(fn: string, path: string, error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const message = `${fn}: the init checkpoint ${path} cannot be read (${error.message})`;
  const details = { fn, arg: 'init', cause: error };
  if (error instanceof FormatError) return new FormatError(message, details);
  if (error instanceof UnsupportedError) return new UnsupportedError(message, details);
  if (error instanceof FileSystemError) return new FileSystemError(message, details);
  return error;
}

/** The model's config and state dict in a cellshape checkpoint (of a model, or of IDEC / k-means around it). */
async function readCellshapeCheckpoint(path: string): Promise<{
  config: Record<string, unknown>;
  stateDict: StateDict;
  kind: InitSource['kind'];
  epoch: number;
}> {
  const checkpoint = await loadCheckpoint(path);
  const { config, stateDict, epoch } = checkpoint;
  if (!isClusteredConfig(config)) return { config, stateDict, kind: 'checkpoint', epoch };
  // A clustered model: the family's model, without the cluster centres.
  const inner = readClusteredModel('initialiseModel', path, checkpoint);
  return { config: inner.modelConfig, stateDict: inner.modelState, kind: 'idec-checkpoint', epoch };
}

/**
 * Loads the weights (and batch-norm statistics) of the checkpoint at `path` into `model`, which
 * was built from the run's `settings`. The file is a cellshape checkpoint (`.ckpt`: a model such
 * as `<run>/pretrain/best.ckpt`, or a clustered model such as `<run>/idec/last.ckpt`, whose
 * cluster centres are left out) or, with any other extension, a checkpoint of the family's
 * reference implementation (`plugin.importModel`: for `cloud` a cellshape-cloud `.pt` or `.npz`,
 * which do not hold `k` or the source points, so `settings` gives them).
 *
 * ```ts
 * const model = plugin.createModel(settings, seed);
 * await initialiseModel(model, 'dfn_128.pt', plugin, settings, seed); // { kind: 'pytorch', … }
 * ```
 *
 * @throws FileSystemError when the file does not exist or cannot be read; FormatError (or
 *   UnsupportedError, for pickles beyond `torch.save`'s) when it is not a checkpoint, naming the
 *   file, with `arg: 'init'`; InitMismatchError when its architecture is not that of `settings`.
 */
export async function initialiseModel<S extends object>(
  model: Encoder,
  path: string,
  plugin: ModelPlugin<S>,
  settings: S,
  seed: number,
  fn = 'initialiseModel',
): Promise<InitSource> {
  const full = resolve(path);
  if (!existsSync(full))
    throw new FileSystemError(`${fn}: the init checkpoint ${full} does not exist`, {
      fn,
      arg: 'init',
    });
  const mismatch = (differences: ArchitectureDifference[], reason: string, cause?: unknown) =>
    new InitMismatchError(fn, full, differences, reason, cause);
  const load = (config: Record<string, unknown>, stateDict: StateDict) => {
    const differences = architectureDifferences(
      plugin.architecture(config),
      plugin.architecture(model.config()),
    );
    if (differences.length > 0) throw mismatch(differences, describeDifferences(differences));
    try {
      model.loadStateDict(stateDict, { strict: true });
    } catch (error) {
      if (error instanceof IncompatibleError) throw mismatch([], error.message, error);
      throw error;
    }
  };

  if (extname(full).toLowerCase() === CHECKPOINT_EXTENSION) {
    const { config, stateDict, kind, epoch } = await readCellshapeCheckpoint(full).catch(
      (error: unknown) => {
        throw unreadable(fn, full, error);
      },
    );
    load(config, stateDict);
    return { path: full, kind, epoch };
  }
  if (plugin.importModel === undefined)
    throw new UnsupportedError(
      `${fn}: the init checkpoint ${full} is not a cellshape checkpoint (${CHECKPOINT_EXTENSION}), and model family '${plugin.name}' reads no other`,
      { fn, arg: 'init' },
    );
  let imported: Encoder;
  try {
    imported = plugin.importModel(full, settings, seed);
  } catch (error) {
    if (error instanceof IncompatibleError) throw mismatch([], error.message, error);
    throw unreadable(fn, full, error);
  }
  try {
    load(imported.config(), imported.stateDict());
  } finally {
    imported.dispose();
  }
  return { path: full, kind: 'pytorch' };
}

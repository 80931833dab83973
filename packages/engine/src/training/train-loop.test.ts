import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createRng,
  FileSystemError,
  IncompatibleError,
  InvalidArgumentError,
  type ProgressEvent,
} from '@cellshape/core';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LrScheduleContext, scheduledLr } from '../optim/lr-schedule.js';
import { loadCheckpoint } from './checkpoint.js';
import type { StateArray, StateDict, TrainableModule } from './module.js';
import { disposeBatch, type TrainLoopOptions, trainLoop } from './train-loop.js';

/**
 * A small autoencoder x → relu(x W1) W2 + b with a batch-norm-like buffer (running mean of
 * the hidden layer, updated in training mode) and an int64 counter, like the real models.
 */
class TinyModule implements TrainableModule {
  training = true;
  readonly hidden: number;
  readonly w1: tf.Variable;
  readonly w2: tf.Variable;
  readonly b: tf.Variable;
  readonly running: tf.Variable;
  count = 0n;

  constructor(hidden = 8, seed = 1) {
    this.hidden = hidden;
    const rng = createRng(seed);
    const init = (n: number, scale: number) =>
      Float32Array.from({ length: n }, () => rng.normal(0, scale));
    this.w1 = tf.variable(tf.tensor2d(init(3 * hidden, 0.5), [3, hidden]));
    this.w2 = tf.variable(tf.tensor2d(init(hidden * 3, 0.5), [hidden, 3]));
    this.b = tf.variable(tf.zeros([3]));
    this.running = tf.variable(tf.zeros([hidden]), false);
  }

  forward(x: tf.Tensor2D): tf.Tensor2D {
    const h = tf.relu(tf.matMul(x, this.w1));
    if (this.training) {
      this.running.assign(tf.add(tf.mul(this.running, 0.9), tf.mul(tf.mean(h, 0), 0.1)));
      this.count += 1n;
    }
    return tf.add(tf.matMul(h, this.w2), this.b);
  }

  namedParameters(): Array<[string, tf.Variable]> {
    return [
      ['enc.weight', this.w1],
      ['dec.weight', this.w2],
      ['dec.bias', this.b],
    ];
  }

  stateDict(): StateDict {
    const out: StateDict = new Map();
    for (const [name, v] of this.namedParameters())
      out.set(name, { data: v.dataSync().slice() as Float32Array, shape: v.shape });
    out.set('enc.running_mean', {
      data: this.running.dataSync().slice() as Float32Array,
      shape: [this.hidden],
    });
    out.set('enc.num_batches_tracked', { data: BigInt64Array.from([this.count]), shape: [] });
    return out;
  }

  loadStateDict(state: StateDict | Record<string, StateArray>): void {
    const map = state instanceof Map ? state : new Map(Object.entries(state));
    const own = this.stateDict();
    const bad = [...own].filter(([k, v]) => map.get(k)?.shape.join() !== v.shape.join());
    if (bad.length > 0 || map.size !== own.size)
      throw new IncompatibleError(
        `TinyModule: state dict mismatch at ${bad.map(([k]) => k).join(', ')}`,
      );
    for (const [name, v] of this.namedParameters())
      v.assign(tf.tensor(map.get(name)!.data as Float32Array, v.shape));
    this.running.assign(
      tf.tensor(map.get('enc.running_mean')!.data as Float32Array, [this.hidden]),
    );
    this.count = (map.get('enc.num_batches_tracked')!.data as BigInt64Array)[0]!;
  }

  train(mode = true): this {
    this.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  config(): Record<string, unknown> {
    return { kind: 'tiny', hidden: this.hidden };
  }

  dispose(): void {
    for (const v of [this.w1, this.w2, this.b, this.running]) v.dispose();
  }
}

const DATA = (() => {
  const rng = createRng(7);
  // Points near a plane, so a 3 → 8 → 3 autoencoder can learn them.
  return Float32Array.from({ length: 40 * 3 }, (_, i) =>
    i % 3 === 2 ? 0.1 * rng.normal() : rng.normal(),
  );
})();

type Batch = { x: tf.Tensor2D; indices: number[] };

function* batches(seed: number, epoch: number, batchSize = 8): Generator<Batch> {
  const order = createRng(seed * 7919 + epoch).permutation(40);
  for (let s = 0; s < 40; s += batchSize) {
    const idx = Array.from(order.subarray(s, s + batchSize));
    const x = new Float32Array(idx.length * 3);
    for (const [j, i] of idx.entries()) x.set(DATA.subarray(i * 3, i * 3 + 3), j * 3);
    yield { x: tf.tensor2d(x, [idx.length, 3]), indices: idx };
  }
}

function options(
  module: TinyModule,
  extra: Partial<TrainLoopOptions<Batch>> = {},
): TrainLoopOptions<Batch> {
  return {
    module,
    epochs: 2,
    seed: 3,
    data: (epoch) => batches(3, epoch),
    loss: (_m, batch) => tf.losses.meanSquaredError(batch.x, module.forward(batch.x)) as tf.Scalar,
    adam: { lr: 1e-2 },
    ...extra,
  };
}

const root = mkdtempSync(join(tmpdir(), 'cellshape-loop-'));
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function weights(m: TinyModule): Float32Array[] {
  return [...m.stateDict().values()]
    .filter((a) => a.data instanceof Float32Array)
    .map((a) => a.data as Float32Array);
}

describe('trainLoop', () => {
  it('reduces the loss, logs JSON lines and writes last/best checkpoints', async () => {
    const m = new TinyModule();
    const dir = join(root, 'basic');
    const events: ProgressEvent[] = [];
    const result = await trainLoop(
      options(m, {
        epochs: 15,
        checkpointDir: dir,
        onProgress: (e) => events.push(e),
        stepsPerEpoch: 5,
      }),
    );
    expect(result.epochs).toBe(15);
    expect(result.step).toBe(75);
    expect(result.history).toHaveLength(15);
    expect(result.history[14]!.loss).toBeLessThan(0.5 * result.history[0]!.loss);
    expect(result.bestLoss).toBe(Math.min(...result.history.map((h) => h.loss)));
    const lines = readFileSync(join(dir, 'log.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(15);
    expect(lines[0]).toMatchObject({ epoch: 0, step: 5, batches: 5, lr: 1e-2 });
    expect(lines[14].loss).toBeCloseTo(result.loss, 12);
    expect(typeof lines[0].seconds).toBe('number');
    expect(typeof lines[0].time).toBe('string');
    const last = await loadCheckpoint(result.checkpoints!.last);
    const best = await loadCheckpoint(result.checkpoints!.best);
    expect(last).toMatchObject({
      epoch: 15,
      step: 75,
      seed: 3,
      config: { kind: 'tiny', hidden: 8 },
    });
    expect(last.loss).toBe(result.loss);
    expect(best.loss).toBe(result.bestLoss);
    expect(last.stateDict.get('enc.num_batches_tracked')!.data).toEqual(BigInt64Array.from([75n]));
    expect(events.filter((e) => e.phase === 'batch')).toHaveLength(75);
    expect(events.filter((e) => e.phase === 'epoch').map((e) => e.done)).toEqual(
      Array.from({ length: 15 }, (_, i) => i + 1),
    );
    expect(events[0]).toMatchObject({ phase: 'batch', done: 1, total: 5 });
    expect(m.training).toBe(true);
    m.dispose();
  });

  it('resumes exactly: 1 epoch + resume for 1 more equals 2 epochs uninterrupted', async () => {
    const decay = { lrDecay: 0.5 };
    const a = new TinyModule();
    const full = await trainLoop(options(a, { ...decay, checkpointDir: join(root, 'full') }));
    const b = new TinyModule();
    const first = await trainLoop(
      options(b, { ...decay, epochs: 1, checkpointDir: join(root, 'part') }),
    );
    b.dispose();
    const c = new TinyModule(8, 99); // other initial weights: the checkpoint must overwrite them
    const rest = await trainLoop(
      options(c, { ...decay, checkpointDir: join(root, 'part'), resume: true }),
    );
    expect(first.history[0]!.loss).toBe(full.history[0]!.loss);
    expect(rest.history.map((h) => h.epoch)).toEqual([1]);
    expect(rest.history[0]!.loss).toBe(full.history[1]!.loss);
    expect(rest.history[0]!.lr).toBe(5e-3);
    expect(rest.step).toBe(full.step);
    const wa = weights(a);
    const wc = weights(c);
    for (const [i, w] of wa.entries()) expect(wc[i]).toEqual(w);
    expect(c.count).toBe(a.count);
    const lines = readFileSync(join(root, 'part', 'log.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(lines.map((l) => JSON.parse(l).epoch)).toEqual([0, 1]);
    a.dispose();
    c.dispose();
  });

  it('applies the schedule before every step and resumes it exactly', async () => {
    const schedule = { kind: 'warmupCosine', warmupSteps: 3, totalSteps: 15, minLr: 1e-4 } as const;
    const lrsOf = (lrs: number[]) => ({
      lrSchedule: schedule,
      epochs: 3,
      afterStep: ({ lr }: { lr: number }) => {
        lrs.push(lr);
      },
    });
    const fullLrs: number[] = [];
    const a = new TinyModule();
    const full = await trainLoop(options(a, lrsOf(fullLrs)));
    expect(fullLrs).toEqual(
      Array.from({ length: 15 }, (_, step) =>
        scheduledLr(schedule, { step, epoch: 0, baseLr: 1e-2 }),
      ),
    );
    expect(fullLrs[0]).toBeCloseTo(1e-2 / 3, 15);
    expect(full.history.map((h) => h.lr)).toEqual([fullLrs[4], fullLrs[9], fullLrs[14]]);

    const dir = join(root, 'cosine');
    const b = new TinyModule();
    await trainLoop(options(b, { ...lrsOf([]), epochs: 1, checkpointDir: dir }));
    b.dispose();
    expect((await loadCheckpoint(join(dir, 'last.ckpt'))).lrSchedule).toEqual(schedule);
    // Resumed without naming the schedule: the recorded one continues.
    const resumedLrs: number[] = [];
    const c = new TinyModule(8, 99);
    const rest = await trainLoop(
      options(c, { ...lrsOf(resumedLrs), lrSchedule: undefined, checkpointDir: dir, resume: true }),
    );
    expect(resumedLrs).toEqual(fullLrs.slice(5));
    expect(rest.history.map((h) => h.loss)).toEqual(full.history.slice(1).map((h) => h.loss));
    const wa = weights(a);
    for (const [i, w] of weights(c).entries()) expect(w).toEqual(wa[i]);
    // Resumed with another schedule: refused.
    await expect(
      trainLoop(options(c, { epochs: 4, lrDecay: 0.5, checkpointDir: dir, resume: true })),
    ).rejects.toThrow(
      /trained with the learning-rate schedule .*warmupCosine.*resume with the same schedule/,
    );
    a.dispose();
    c.dispose();
  });

  it('calls a schedule function with the step, epoch, steps per epoch and base lr', async () => {
    const seen: LrScheduleContext[] = [];
    const m = new TinyModule();
    const dir = join(root, 'function');
    const result = await trainLoop(
      options(m, {
        epochs: 1,
        stepsPerEpoch: 5,
        checkpointDir: dir,
        lrSchedule: (context) => {
          seen.push(context);
          return context.baseLr / (1 + context.step);
        },
      }),
    );
    expect(seen.filter((c) => c.epoch === 0).map((c) => c.step)).toEqual([0, 0, 1, 2, 3, 4]);
    expect(seen[0]).toEqual({ step: 0, epoch: 0, stepsPerEpoch: 5, baseLr: 1e-2 });
    expect(result.history[0]!.lr).toBe(1e-2 / 5);
    await expect(trainLoop(options(m, { checkpointDir: dir, resume: true }))).rejects.toThrow(
      /trained with a learning-rate schedule function; pass the same function/,
    );
    await expect(trainLoop(options(m, { lrSchedule: () => Number.NaN }))).rejects.toThrow(
      /trainLoop: 'lrSchedule' must be a function returning a finite learning rate/,
    );
    m.dispose();
  });

  it('saves and restores extra state, and stops early on a hook', async () => {
    const m = new TinyModule();
    const dir = join(root, 'hooks');
    const seen: number[] = [];
    let counter = 0;
    const result = await trainLoop(
      options(m, {
        epochs: 5,
        checkpointDir: dir,
        beforeStep: ({ step }) => {
          seen.push(step);
        },
        afterStep: ({ step }) => {
          counter++;
          return step === 7 ? { stop: true, reason: 'tolerance reached' } : undefined;
        },
        extraState: () => ({ counter, labels: Int32Array.from([counter]) }),
      }),
    );
    expect(result.stopped).toEqual({ reason: 'tolerance reached', epoch: 1, step: 7 });
    expect(result.step).toBe(7);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(result.history).toHaveLength(2);
    expect(result.history[1]!.batches).toBe(2);
    const lines = readFileSync(join(dir, 'log.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[1].stopped).toBe('tolerance reached');

    let restored: unknown;
    const m2 = new TinyModule();
    const after = await trainLoop(
      options(m2, {
        epochs: 3,
        checkpointDir: dir,
        resume: true,
        restoreExtraState: (s) => {
          restored = s;
        },
        afterEpoch: ({ epoch }) => (epoch === 2 ? { stop: true, reason: 'done' } : undefined),
      }),
    );
    expect(restored).toEqual({ counter: 7, labels: Int32Array.from([7]) });
    expect(after.history.map((h) => h.epoch)).toEqual([2]);
    expect(after.stopped?.reason).toBe('done');
    m.dispose();
    m2.dispose();
  });

  it('logs loss parts and scales logged losses', async () => {
    const m = new TinyModule();
    const result = await trainLoop(
      options(m, {
        epochs: 1,
        loss: (_m, batch) => {
          const mse = tf.losses.meanSquaredError(batch.x, m.forward(batch.x)) as tf.Scalar;
          const l2 = tf.mul(tf.sum(tf.square(m.w1)), 1e-3) as tf.Scalar;
          return { total: tf.add(mse, l2) as tf.Scalar, mse, l2 };
        },
        logScale: (batch) => batch.indices.length,
      }),
    );
    const h = result.history[0]!;
    expect(h.parts.mse! + h.parts.l2!).toBeCloseTo(h.loss, 5);
    expect(h.parts.l2!).toBeGreaterThan(0);
    m.dispose();
  });

  it('leaks no tensors over 200 steps', async () => {
    const m = new TinyModule(16);
    const run = (epochs: number) =>
      trainLoop(options(m, { epochs, data: (e) => batches(5, e, 2), seed: 5 }));
    await run(1); // warm-up: kernels and backend caches
    const tensors = tf.memory().numTensors;
    const bytes = tf.memory().numBytes;
    const rss = process.memoryUsage().rss;
    const result = await run(10); // 10 epochs × 20 batches
    expect(result.step).toBe(200);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.memory().numBytes).toBe(bytes);
    expect(process.memoryUsage().rss - rss).toBeLessThan(64 * 2 ** 20);
    m.dispose();
  });

  it('resumes from nothing when the checkpoint already has all epochs', async () => {
    const m = new TinyModule();
    const result = await trainLoop(
      options(m, { epochs: 1, resume: join(root, 'full', 'last.ckpt') }),
    );
    expect(result.history).toEqual([]);
    expect(result.epochs).toBe(2);
    m.dispose();
  });

  describe('invalid input', () => {
    const m = new TinyModule();
    afterAll(() => m.dispose());

    it('rejects bad options', async () => {
      await expect(trainLoop(options(m, { epochs: -1 }))).rejects.toThrow(/'epochs' must be/);
      await expect(trainLoop(options(m, { lrDecay: 2 }))).rejects.toThrow(/'lrDecay'/);
      await expect(
        trainLoop(options(m, { lrDecay: 0.5, lrSchedule: { kind: 'constant' } })),
      ).rejects.toThrow(/'lrDecay' must be left out when 'lrSchedule' is given/);
      await expect(
        trainLoop(options(m, { lrSchedule: { kind: 'linearWarmup', warmupSteps: 0 } })),
      ).rejects.toThrow(/'lrSchedule.warmupSteps' must be an integer ≥ 1/);
      await expect(trainLoop({ ...options(m), module: {} as TrainableModule })).rejects.toThrow(
        /'module' must be a TrainableModule/,
      );
      await expect(trainLoop(options(m, { resume: true }))).rejects.toThrow(/'resume'/);
      await expect(trainLoop(null as unknown as TrainLoopOptions<Batch>)).rejects.toThrow(
        InvalidArgumentError,
      );
    });

    it('rejects a loss that is not a scalar, a NaN loss and an empty epoch', async () => {
      const before = tf.memory().numTensors;
      await expect(
        trainLoop(options(m, { loss: (_m, batch) => m.forward(batch.x) as unknown as tf.Scalar })),
      ).rejects.toThrow(/'loss' must be a function returning a tf.Scalar/);
      await expect(
        trainLoop(
          options(m, { loss: (_m, b) => tf.mul(tf.sum(m.forward(b.x)), Number.NaN) as tf.Scalar }),
        ),
      ).rejects.toThrow(/the loss became NaN at epoch 0, batch 0/);
      await expect(trainLoop(options(m, { data: () => [] }))).rejects.toThrow(
        /'data' must be to yield/,
      );
      expect(tf.memory().numTensors).toBe(before);
    });

    it('rejects a missing checkpoint, another seed and another architecture', async () => {
      await expect(trainLoop(options(m, { resume: join(root, 'nope.ckpt') }))).rejects.toThrow(
        FileSystemError,
      );
      const path = join(root, 'full', 'last.ckpt');
      expect(existsSync(path)).toBe(true);
      await expect(trainLoop(options(m, { epochs: 3, seed: 4, resume: path }))).rejects.toThrow(
        IncompatibleError,
      );
      const other = new TinyModule(5);
      await expect(trainLoop(options(other, { epochs: 3, resume: path }))).rejects.toThrow(
        IncompatibleError,
      );
      other.dispose();
    });
  });
});

describe('disposeBatch', () => {
  it('disposes tensors in nested objects and arrays, and ignores typed arrays', () => {
    const before = tf.memory().numTensors;
    const batch = {
      a: tf.scalar(1),
      list: [tf.zeros([2]), { inner: tf.ones([3]) }],
      data: new Float32Array(4),
      label: 'x',
    };
    disposeBatch(batch);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => disposeBatch(null)).not.toThrow();
  });
});

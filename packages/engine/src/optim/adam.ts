import {
  FormatError,
  IncompatibleError,
  invalidArgument,
  type NdArray,
  UnsupportedError,
  withDefaults,
} from '@cellshape/core';
import { type Tensor, tensor, tidy, type Variable } from '@tensorflow/tfjs-core';
import { AdamKernel } from './adam-kernel.js';
import { entriesOf, field, float32Of, numberOf } from './plain-data.js';

/** Hyper-parameters of {@link Adam}; the defaults are cellshape's (and the golden files'). */
export interface AdamOptions {
  /** Learning rate. Default 1e-4. */
  lr?: number;
  /** Decay rates of the first and second moment averages. Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Added to the denominator after the square root. Default 1e-8. */
  eps?: number;
  /** L2 penalty added to the gradient (`grad + weightDecay · param`, not AdamW). Default 1e-6. */
  weightDecay?: number;
  /** AMSGrad variant; only `false` is supported (as in cellshape). Default false. */
  amsgrad?: false;
  /**
   * Learning-rate multipliers by parameter name: the named parameter steps with `lr × scale`
   * (PyTorch: a parameter group of its own with that lr). A learning-rate schedule, which sets
   * `lr`, scales them all together. Not part of the torch state dict. Default `{}` (every
   * parameter at `lr`).
   */
  lrScale?: Readonly<Record<string, number>>;
  /**
   * Run the update loop in WebAssembly SIMD (the same bits, faster: see docs/performance.md);
   * `false` runs it in JavaScript. Where WebAssembly SIMD or shared memory is missing (e.g. a
   * browser page without cross-origin isolation) JavaScript runs anyway. Default true.
   */
  simd?: boolean;
}

/** Defaults of {@link AdamOptions}. */
export const DEFAULT_ADAM_OPTIONS: Readonly<Required<AdamOptions>> = {
  lr: 1e-4,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 1e-6,
  amsgrad: false,
  lrScale: {},
  simd: true,
};

/** Options of {@link Adam.loadStateDict}. */
export interface AdamLoadStateOptions {
  /**
   * Maps a saved moment array (`exp_avg`, `exp_avg_sq`) to the layout of the named parameter's
   * variable, for models whose variables differ from PyTorch's layout (e.g. transposed
   * weights). Called before the shape check. Default: the identity.
   */
  convertMoment?: (name: string, array: NdArray<Float32Array>) => NdArray<Float32Array>;
}

/** The per-parameter state, named and laid out as in `torch.optim.Adam.state_dict()`. */
export interface AdamParamState {
  /** Steps taken for this parameter (torch stores it as a 0-d float32 tensor). */
  step: number;
  /** First moment estimate, the parameter's shape. */
  exp_avg: NdArray<Float32Array>;
  /** Second moment estimate, the parameter's shape. */
  exp_avg_sq: NdArray<Float32Array>;
}

/** The single parameter group, with torch 1.13's keys. */
export interface AdamParamGroup {
  lr: number;
  betas: [number, number];
  eps: number;
  weight_decay: number;
  amsgrad: false;
  maximize: false;
  foreach: null;
  capturable: false;
  differentiable: false;
  fused: false;
  /** Indices of the parameters, in the order the optimizer was given them. */
  params: number[];
}

/**
 * `torch.optim.Adam.state_dict()` as plain data: `state` keyed by parameter index (only the
 * parameters that have taken a step), one parameter group.
 */
export interface AdamStateDict {
  state: Record<number, AdamParamState>;
  param_groups: [AdamParamGroup];
}

interface Moments {
  step: number;
  expAvg: Float32Array;
  expAvgSq: Float32Array;
}

function validateOptions(options: unknown): Required<AdamOptions> {
  const fn = 'Adam';
  const merged = withDefaults(fn, DEFAULT_ADAM_OPTIONS, options as AdamOptions);
  const { lr, betas, eps, weightDecay, amsgrad, lrScale, simd } = merged;
  if (!(Number.isFinite(lr) && lr >= 0))
    throw invalidArgument(fn, 'options.lr', 'a number ≥ 0', lr);
  if (
    !Array.isArray(betas) ||
    betas.length !== 2 ||
    !betas.every((b) => Number.isFinite(b) && b >= 0 && b < 1)
  )
    throw invalidArgument(fn, 'options.betas', 'two numbers in [0, 1)', betas);
  if (!(Number.isFinite(eps) && eps >= 0))
    throw invalidArgument(fn, 'options.eps', 'a number ≥ 0', eps);
  if (!(Number.isFinite(weightDecay) && weightDecay >= 0))
    throw invalidArgument(fn, 'options.weightDecay', 'a number ≥ 0', weightDecay);
  if (amsgrad !== false)
    throw new UnsupportedError(`${fn}: amsgrad is not supported`, { fn, arg: 'options.amsgrad' });
  if (typeof lrScale !== 'object' || lrScale === null || Array.isArray(lrScale))
    throw invalidArgument(fn, 'options.lrScale', 'an object of numbers by parameter name', lrScale);
  for (const [name, scale] of Object.entries(lrScale))
    if (!(Number.isFinite(scale) && scale >= 0))
      throw invalidArgument(fn, `options.lrScale[${JSON.stringify(name)}]`, 'a number ≥ 0', scale);
  if (typeof simd !== 'boolean') throw invalidArgument(fn, 'options.simd', 'a boolean', simd);
  return { lr, betas: [betas[0], betas[1]], eps, weightDecay, amsgrad, lrScale, simd };
}

/**
 * Adam exactly as `torch.optim.Adam` (torch 1.13, `_single_tensor_adam`, amsgrad off), in
 * float32 with torch's order of operations, for each parameter that has a gradient:
 *
 * ```text
 * step += 1
 * g = fma(param, weight_decay, grad)                     (when weight_decay ≠ 0)
 * exp_avg    = fma(g, 1 − β1, exp_avg · β1)
 * exp_avg_sq = fma((1 − β2) · g, g, exp_avg_sq · β2)
 * denom = sqrt(exp_avg_sq) / sqrt(1 − β2^step) + eps     (bias corrections in float64)
 * param = param + ((−lr / (1 − β1^step)) · exp_avg) / denom
 * ```
 *
 * The fused multiply-adds are those of torch's vectorised CPU kernels (`add_` with `alpha`,
 * `addcmul_`); with them the result is bit-identical to torch 1.13 on x86-64 (the engine
 * README says how far that is tested). The update runs on the parameter values (read with
 * `dataSync`, written with `assign`) in WebAssembly SIMD, two values at a time with the same
 * roundings, the moments in the kernel's own memory (JavaScript and plain `Float32Array`s with
 * `simd: false` or where WebAssembly SIMD is missing); the optimizer holds no tensors.
 *
 * Parameters are the module's `namedParameters()`; their index in that list is the key of the
 * optimizer state, as in PyTorch, so `stateDict()` / `loadStateDict()` exchange state with
 * `torch.optim.Adam` checkpoints (`checkpoint["optimizer_state_dict"]`).
 *
 * ```ts
 * const adam = new Adam(model.namedParameters(), { lr: 1e-4 });
 * const { grads } = tf.variableGrads(() => loss(model)); // keyed by variable name
 * adam.step(gradsByParameterName);
 * ```
 */
export class Adam {
  private readonly params: ReadonlyArray<readonly [string, Variable]>;
  private readonly indexOf = new Map<string, number>();
  private moments: Array<Moments | undefined>;
  private lrValue: number;
  /** `options.lrScale` by parameter index (1 for the parameters it does not name). */
  private readonly lrScales: Float64Array;
  private betas: [number, number];
  private eps: number;
  private weightDecay: number;
  /** The update loop in WebAssembly SIMD, holding the moments; undefined: the JavaScript loop. */
  private readonly kernel: AdamKernel | undefined;

  /**
   * @param params `[name, variable]` pairs in PyTorch `named_parameters()` order (float32).
   * @param options hyper-parameters; see {@link DEFAULT_ADAM_OPTIONS}.
   */
  constructor(params: Array<[name: string, variable: Variable]>, options: AdamOptions = {}) {
    const fn = 'Adam';
    if (!Array.isArray(params))
      throw invalidArgument(fn, 'params', 'an array of [name, tf.Variable] pairs', params);
    params.forEach((entry, i) => {
      const [name, v] = Array.isArray(entry) ? entry : [];
      if (typeof name !== 'string' || typeof v !== 'object' || v === null || !('assign' in v))
        throw invalidArgument(fn, `params[${i}]`, 'a [name, tf.Variable] pair', entry);
      if (v.dtype !== 'float32')
        throw invalidArgument(fn, `params[${i}] (${name})`, 'a float32 variable', v.dtype);
      if (this.indexOf.has(name)) throw invalidArgument(fn, `params[${i}]`, 'a unique name', name);
      this.indexOf.set(name, i);
    });
    const o = validateOptions(options);
    this.params = params.map(([name, v]) => [name, v] as const);
    this.moments = params.map(() => undefined);
    this.lrScales = new Float64Array(params.length).fill(1);
    for (const [name, scale] of Object.entries(o.lrScale)) {
      const index = this.indexOf.get(name);
      if (index === undefined)
        throw invalidArgument(
          fn,
          'options.lrScale',
          'keyed by names of the optimised parameters',
          name,
        );
      this.lrScales[index] = scale;
    }
    this.lrValue = o.lr;
    this.betas = o.betas;
    this.eps = o.eps;
    this.weightDecay = o.weightDecay;
    this.kernel = o.simd ? tryKernel(params.map(([, v]) => v.size)) : undefined;
  }

  /** Whether the update loop runs in WebAssembly SIMD (else in JavaScript; the same bits). */
  get simd(): boolean {
    return this.kernel !== undefined;
  }

  /** The learning rate used by the next `step()` (settable, e.g. by a scheduler). */
  get lr(): number {
    return this.lrValue;
  }

  set lr(value: number) {
    if (!(Number.isFinite(value) && value >= 0))
      throw invalidArgument('Adam.lr', 'lr', 'a number ≥ 0', value);
    this.lrValue = value;
  }

  /**
   * Updates every parameter that has a gradient; parameters without one keep their value and
   * state (as torch skips parameters whose `.grad` is `None`). The gradients are not disposed.
   *
   * @param grads gradients keyed by parameter name, each of its parameter's shape.
   */
  step(grads: Record<string, Tensor> | Map<string, Tensor>): void {
    const fn = 'Adam.step';
    if (typeof grads !== 'object' || grads === null)
      throw invalidArgument(fn, 'grads', 'a Map or record of tensors', grads);
    const entries = grads instanceof Map ? [...grads.entries()] : Object.entries(grads);
    const updates: Array<[number, Tensor]> = [];
    for (const [name, grad] of entries) {
      const index = this.indexOf.get(name);
      if (index === undefined)
        throw invalidArgument(fn, 'grads', 'keyed by names of the optimised parameters', name);
      const param = this.params[index]![1];
      if (
        typeof grad !== 'object' ||
        grad === null ||
        !Array.isArray(grad.shape) ||
        grad.shape.length !== param.shape.length ||
        grad.shape.some((d, i) => d !== param.shape[i])
      ) {
        throw invalidArgument(
          fn,
          `grads[${JSON.stringify(name)}]`,
          `a tensor of shape [${param.shape.join(', ')}]`,
          grad?.shape,
        );
      }
      updates.push([index, grad]);
    }
    const [beta1, beta2] = this.betas;
    const f = Math.fround;
    const decay = f(this.weightDecay);
    const [b1, b2, a1, a2] = [f(beta1), f(beta2), f(1 - beta1), f(1 - beta2)];
    const eps = f(this.eps);
    for (const [index, grad] of updates) {
      const param = this.params[index]![1];
      const p = param.dataSync() as Float32Array;
      const g = grad.dataSync() as ArrayLike<number>;
      const n = p.length;
      const moments = (this.moments[index] ??= this.zeroMoments(index, n));
      const { expAvg: m, expAvgSq: v } = moments;
      moments.step += 1;
      // Bias corrections in float64, as torch computes them from Python floats.
      const stepSize = f(-((this.lrValue * this.lrScales[index]!) / (1 - beta1 ** moments.step)));
      const correction2 = f(Math.sqrt(1 - beta2 ** moments.step));
      if (this.kernel) {
        const constants = { decay, a1, b1, a2, b2, stepSize, correction2, eps };
        const next = this.kernel.step(index, p, g, constants);
        tidy(() => param.assign(tensor(next, param.shape, 'float32')));
        continue;
      }
      const out = new Float32Array(n);
      // Float32 arithmetic through doubles: products of two floats are exact, so
      // f(x * y + z) is a fused multiply-add and f(x op y) the float32 operation.
      for (let j = 0; j < n; j++) {
        const gj = decay !== 0 ? f(p[j]! * decay + g[j]!) : f(g[j]!);
        m[j] = f(gj * a1 + f(m[j]! * b1));
        v[j] = f(f(a2 * gj) * gj + f(v[j]! * b2));
        const denom = f(f(f(Math.sqrt(v[j]!)) / correction2) + eps);
        out[j] = f(p[j]! + f(f(stepSize * m[j]!) / denom));
      }
      tidy(() => param.assign(tensor(out, param.shape, 'float32')));
    }
  }

  /** The state in torch's layout, as plain arrays (copies); see {@link AdamStateDict}. */
  stateDict(): AdamStateDict {
    const state: Record<number, AdamParamState> = {};
    this.moments.forEach((m, i) => {
      if (m === undefined) return;
      const shape = [...this.params[i]![1].shape];
      state[i] = {
        step: m.step,
        exp_avg: { data: m.expAvg.slice(), shape },
        exp_avg_sq: { data: m.expAvgSq.slice(), shape: [...shape] },
      };
    });
    return {
      state,
      param_groups: [
        {
          lr: this.lrValue,
          betas: [...this.betas],
          eps: this.eps,
          weight_decay: this.weightDecay,
          amsgrad: false,
          maximize: false,
          foreach: null,
          capturable: false,
          differentiable: false,
          fused: false,
          params: this.params.map((_, i) => i),
        },
      ],
    };
  }

  /**
   * Restores a state from {@link stateDict} or from a PyTorch checkpoint's
   * `optimizer_state_dict` (as read by `readTorchCheckpoint`: `Map`s, 0-d `step` tensors).
   * Hyper-parameters (lr, betas, eps, weight decay) are taken from the saved group, as torch
   * does. Nothing changes when the state is rejected. Use `options.convertMoment` when the
   * saved arrays are in another layout than the variables.
   *
   * @throws IncompatibleError when the parameter count or a moment's shape differs.
   * @throws FormatError when the state is malformed; UnsupportedError for several parameter
   *   groups, amsgrad or maximize.
   */
  loadStateDict(state: AdamStateDict | unknown, options: AdamLoadStateOptions = {}): void {
    const fn = 'Adam.loadStateDict';
    if (typeof options !== 'object' || options === null)
      throw invalidArgument(fn, 'options', 'an object', options);
    const convert = options.convertMoment;
    if (convert !== undefined && typeof convert !== 'function')
      throw invalidArgument(fn, 'options.convertMoment', 'a function', convert);
    const { ids, saved } = savedGroup(state, fn, this.params.length);
    const position = new Map<string, number>();
    for (const [i, id] of ids.entries())
      position.set(String(numberOf(id, fn, 'a parameter id')), i);
    const loaded = this.savedMoments(state, position, convert, fn);

    this.moments = loaded.map((m, index) => {
      if (m === undefined) return undefined;
      const moments = this.zeroMoments(index, m.expAvg.data.length);
      moments.expAvg.set(m.expAvg.data);
      moments.expAvgSq.set(m.expAvgSq.data);
      return { ...moments, step: m.step };
    });
    this.lrValue = saved.lr;
    this.betas = saved.betas;
    this.eps = saved.eps;
    this.weightDecay = saved.weightDecay;
  }

  /**
   * The moments of each parameter in `state` (undefined when it has none), checked against
   * the parameters' shapes; `position` maps a saved parameter id to the parameter's index.
   */
  private savedMoments(
    state: unknown,
    position: ReadonlyMap<string, number>,
    convert: AdamLoadStateOptions['convertMoment'],
    fn: string,
  ): Array<SavedMoments | undefined> {
    const loaded: Array<SavedMoments | undefined> = this.params.map(() => undefined);
    for (const [key, entry] of entriesOf(field(state, 'state'))) {
      const index = position.get(String(key));
      if (index === undefined)
        throw new FormatError(`${fn}: state entry ${String(key)} is not in param_groups`, { fn });
      const [name, param] = this.params[index]!;
      const [expAvg, expAvgSq] = (['exp_avg', 'exp_avg_sq'] as const).map((what) => {
        const stored = float32Of(field(entry, what), fn, `${what} of ${name}`);
        const array = convert ? convert(name, stored) : stored;
        if (
          array.shape.length !== param.shape.length ||
          array.shape.some((d, i) => d !== param.shape[i])
        ) {
          throw new IncompatibleError(
            `${fn}: ${what} of parameter ${index} (${name}) has shape [${array.shape.join(', ')}], the parameter has [${param.shape.join(', ')}]`,
            { fn, arg: name },
          );
        }
        return array;
      }) as [NdArray<Float32Array>, NdArray<Float32Array>];
      const step = numberOf(field(entry, 'step'), fn, `step of ${name}`);
      if (!(Number.isInteger(step) && step >= 1))
        throw new FormatError(`${fn}: step of ${name} must be a positive integer, got ${step}`, {
          fn,
        });
      loaded[index] = { step, expAvg, expAvgSq };
    }
    return loaded;
  }

  /** Zero moments for parameter `index` (in the kernel's memory when there is one). */
  private zeroMoments(index: number, length: number): Moments {
    if (!this.kernel)
      return { step: 0, expAvg: new Float32Array(length), expAvgSq: new Float32Array(length) };
    const [expAvg, expAvgSq] = this.kernel.moments(index);
    return { step: 0, expAvg: expAvg.fill(0), expAvgSq: expAvgSq.fill(0) };
  }

  /** Drops the moment estimates (the optimizer holds no tensors; the parameters are the caller's). */
  dispose(): void {
    this.moments = this.params.map(() => undefined);
  }
}

/** The SIMD update loop, or undefined where WebAssembly SIMD or shared memory is missing. */
function tryKernel(lengths: readonly number[]): AdamKernel | undefined {
  try {
    return new AdamKernel(lengths);
  } catch {
    return undefined;
  }
}

/** The moments of one parameter as read from a saved state. */
interface SavedMoments {
  step: number;
  expAvg: NdArray<Float32Array>;
  expAvgSq: NdArray<Float32Array>;
}

/**
 * The parameter ids and hyper-parameters of the single parameter group of a saved state,
 * checked against the optimizer's `paramCount` parameters.
 */
function savedGroup(
  state: unknown,
  fn: string,
  paramCount: number,
): { ids: unknown[]; saved: ReturnType<typeof validateOptions> } {
  const groups = field(state, 'param_groups');
  if (!Array.isArray(groups) || groups.length === 0)
    throw new FormatError(`${fn}: 'param_groups' must be a non-empty list`, { fn });
  if (groups.length > 1)
    throw new UnsupportedError(`${fn}: ${groups.length} parameter groups; only one is supported`, {
      fn,
    });
  const group = groups[0];
  const ids = field(group, 'params');
  if (!Array.isArray(ids))
    throw new FormatError(`${fn}: 'param_groups[0].params' must be a list`, { fn });
  if (ids.length !== paramCount) {
    throw new IncompatibleError(
      `${fn}: the state is for ${ids.length} parameters, this optimizer has ${paramCount}`,
      { fn },
    );
  }
  for (const flag of ['amsgrad', 'maximize'])
    if (field(group, flag) === true)
      throw new UnsupportedError(`${fn}: ${flag}=True is not supported`, { fn });
  // A valid state of another optimizer is not a malformed one (it was a FormatError).
  if (field(group, 'betas') === undefined && field(group, 'momentum') !== undefined)
    throw new UnsupportedError(
      `${fn}: the state is not Adam's (its parameter group has momentum and no betas: SGD or RMSprop); only Adam states are read`,
      { fn },
    );
  const betas = field(group, 'betas');
  const saved = validateOptions({
    lr: numberOf(field(group, 'lr'), fn, 'lr'),
    betas: Array.isArray(betas) ? betas.map((b) => numberOf(b, fn, 'betas')) : betas,
    eps: numberOf(field(group, 'eps'), fn, 'eps'),
    weightDecay: numberOf(field(group, 'weight_decay'), fn, 'weight_decay'),
  });
  return { ids, saved };
}

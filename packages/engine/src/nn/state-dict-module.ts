import type { NdArray } from '@cellshape/core';
import type { Variable } from '@tensorflow/tfjs-core';
import type { StateArray, StateDict } from '../training/module.js';
import type { LoadStateDictOptions, ModuleState } from './module-state.js';

/**
 * The PyTorch face of a model whose parameters and buffers one {@link ModuleState} holds: named
 * parameters, PyTorch shapes and layouts, `state_dict()` and `load_state_dict()`. A model family
 * extends it and builds `state` from its layers' entries; every family then moves weights to and
 * from PyTorch the same way.
 */
export abstract class StateDictModule {
  /** The model's state-dict entries, in PyTorch `state_dict()` order. */
  protected abstract readonly state: ModuleState;

  /** Trainable variables in PyTorch `named_parameters()` order, with PyTorch names. */
  namedParameters(): Array<[name: string, variable: Variable]> {
    return this.state.namedParameters();
  }

  /** The PyTorch shape of a parameter (variables of weights hold tfjs's layout). */
  torchShape(name: string): number[] {
    return this.state.torchShape(name);
  }

  /** Converts a parameter-shaped array (variable layout) to PyTorch's layout, e.g. optimizer state. */
  parameterToTorch(name: string, data: Float32Array): NdArray<Float32Array> {
    return this.state.parameterToTorch(name, data);
  }

  /** Converts an array in PyTorch's layout to the layout of the parameter's variable. */
  parameterFromTorch(name: string, data: Float32Array): NdArray<Float32Array> {
    return this.state.parameterFromTorch(name, data);
  }

  /**
   * The state (parameters and buffers) as plain arrays in PyTorch `state_dict()` order and
   * shapes (`num_batches_tracked` as a 0-d `BigInt64Array`; aliases under both names).
   */
  stateDict(): StateDict {
    return this.state.stateDict();
  }

  /**
   * Loads a PyTorch-layout state dict (from {@link StateDictModule.stateDict}, or a `.pt` /
   * `.npz` read by `readStateDict`). With `strict` (default) missing or unexpected keys — a
   * checkpoint of another architecture — throw an `IncompatibleError` naming them; wrong dtypes,
   * shapes or non-finite values always throw, before anything changes. An aliased entry may be
   * given under either or both names (equal when both).
   */
  loadStateDict(
    state: StateDict | Record<string, StateArray>,
    options: LoadStateDictOptions = {},
  ): void {
    this.state.loadStateDict(state, options);
  }
}

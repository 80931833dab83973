import { IncompatibleError, invalidArgument, type NdArray } from '@cellshape/core';
import type { Variable } from '@tensorflow/tfjs-core';
import { Adam, type AdamStateDict } from '../optim/adam.js';
import { adamStateToTorch } from '../optim/torch-state.js';
import type { TorchValue } from '../torch/types.js';
import type { TorchWritable } from '../torch/write-checkpoint.js';

/**
 * A model whose parameters convert between PyTorch's layout and their variables' (what
 * {@link ModuleState} provides): enough to exchange optimizer state with PyTorch.
 */
export interface TorchLayoutModule {
  /** Trainable variables in PyTorch `named_parameters()` order, with PyTorch names. */
  namedParameters(): Array<[name: string, variable: Variable]>;
  /** PyTorch's shape of parameter `name`. */
  torchShape(name: string): number[];
  /** A parameter-shaped array in the variable's layout → PyTorch's layout. */
  parameterToTorch(name: string, data: Float32Array): NdArray<Float32Array>;
  /** An array in PyTorch's layout → the variable's layout. */
  parameterFromTorch(name: string, data: Float32Array): NdArray<Float32Array>;
}

function checkModel(fn: string, model: TorchLayoutModule): void {
  const m = model as Partial<TorchLayoutModule> | null;
  if (
    typeof m !== 'object' ||
    m === null ||
    typeof m.namedParameters !== 'function' ||
    typeof m.torchShape !== 'function' ||
    typeof m.parameterFromTorch !== 'function' ||
    typeof m.parameterToTorch !== 'function'
  )
    throw invalidArgument(
      fn,
      'model',
      'a model with namedParameters() and the PyTorch layout conversions',
      model,
    );
}

/**
 * Converts PyTorch's `optimizer_state_dict` of `torch.optim.Adam` over the model's parameters
 * (as `readTorchCheckpoint` reads it; moments in PyTorch's layout) into an `AdamStateDict` for
 * `new Adam(model.namedParameters()).loadStateDict(state)`.
 *
 * @throws IncompatibleError when the state is for another number of parameters or a moment
 *   does not have its parameter's PyTorch shape.
 */
export function optimizerStateFromTorch(
  model: TorchLayoutModule,
  torchState: TorchValue,
): AdamStateDict {
  const fn = 'optimizerStateFromTorch';
  checkModel(fn, model);
  const adam = new Adam(model.namedParameters());
  adam.loadStateDict(torchState, {
    convertMoment: (name, array) => {
      const expected = model.torchShape(name);
      if (array.shape.length !== expected.length || array.shape.some((d, i) => d !== expected[i])) {
        throw new IncompatibleError(
          `${fn}: the Adam moments of '${name}' have shape [${array.shape.join(', ')}], the parameter has [${expected.join(', ')}]`,
          { fn, arg: name },
        );
      }
      return model.parameterFromTorch(name, array.data);
    },
  });
  return adam.stateDict();
}

/**
 * Converts `Adam.stateDict()` of an optimizer over `model.namedParameters()` into what
 * `torch.optim.Adam.state_dict()` holds for the PyTorch model (moments in PyTorch's layout,
 * int keys, 0-d `step` tensors), ready for `writeTorchCheckpoint`.
 *
 * @throws IncompatibleError when an entry of the state has no parameter in the model.
 */
export function optimizerStateToTorch(
  model: TorchLayoutModule,
  state: AdamStateDict,
): TorchWritable {
  const fn = 'optimizerStateToTorch';
  checkModel(fn, model);
  if (typeof state !== 'object' || state === null || typeof state.state !== 'object')
    throw invalidArgument(fn, 'state', 'the result of Adam.stateDict()', state);
  const names = model.namedParameters().map(([name]) => name);
  const converted: AdamStateDict['state'] = {};
  for (const [key, entry] of Object.entries(state.state)) {
    const name = names[Number(key)];
    if (name === undefined)
      throw new IncompatibleError(`${fn}: state entry ${key} has no parameter in the model`, {
        fn,
        arg: key,
      });
    const toTorch = (array: NdArray<Float32Array>): NdArray<Float32Array> =>
      model.parameterToTorch(name, array.data);
    converted[Number(key)] = {
      step: entry.step,
      exp_avg: toTorch(entry.exp_avg),
      exp_avg_sq: toTorch(entry.exp_avg_sq),
    };
  }
  return adamStateToTorch({ ...state, state: converted });
}

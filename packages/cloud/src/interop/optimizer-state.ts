import { IncompatibleError, invalidArgument, type NdArray } from '@cellshape/core';
import {
  Adam,
  type AdamStateDict,
  adamStateToTorch,
  type TorchValue,
  type TorchWritable,
} from '@cellshape/engine';
import type { CloudAutoEncoder } from '../model/index.js';

/**
 * Adam state between PyTorch's layout (weights `[out, in, ...]`, as in `.pt` checkpoints) and
 * the layout of `CloudAutoEncoder`'s variables (weights stored transposed).
 */

function checkModel(fn: string, model: CloudAutoEncoder): void {
  if (
    typeof model !== 'object' ||
    model === null ||
    typeof model.namedParameters !== 'function' ||
    typeof model.parameterFromTorch !== 'function'
  )
    throw invalidArgument(fn, 'model', 'a CloudAutoEncoder', model);
}

/**
 * Converts a PyTorch `optimizer_state_dict` of `torch.optim.Adam` over the model's parameters
 * (as read by `readTorchCheckpoint`) into an {@link AdamStateDict} for
 * `new Adam(model.namedParameters()).loadStateDict(state)`.
 *
 * @throws IncompatibleError when the state is for another number of parameters or a moment
 *   does not have its parameter's PyTorch shape.
 */
export function optimizerStateFromTorch(
  model: CloudAutoEncoder,
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
 */
export function optimizerStateToTorch(
  model: CloudAutoEncoder,
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

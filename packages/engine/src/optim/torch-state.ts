import { invalidArgument } from '@cellshape/core';
import type { TorchKey } from '../torch/types.js';
import type { TorchWritable } from '../torch/write-checkpoint.js';
import type { AdamStateDict } from './adam.js';

/**
 * Converts `Adam.stateDict()` into exactly what `torch.optim.Adam.state_dict()` holds, for
 * `writeTorchCheckpoint`: `state` keyed by Python ints (not strings), `step` as a 0-d float32
 * tensor (torch ≥ 1.12), `betas` as a pair. `torch.optim.Adam(model.parameters())
 * .load_state_dict(ckpt["optimizer_state_dict"])` then restores it.
 */
export function adamStateToTorch(state: AdamStateDict): TorchWritable {
  const fn = 'adamStateToTorch';
  if (typeof state !== 'object' || state === null || !Array.isArray(state.param_groups))
    throw invalidArgument(fn, 'state', 'the result of Adam.stateDict()', state);
  const entries = new Map<TorchKey, TorchWritable>();
  for (const [key, entry] of Object.entries(state.state)) {
    entries.set(
      Number(key),
      new Map<TorchKey, TorchWritable>([
        ['step', { data: Float32Array.of(entry.step), shape: [] }],
        ['exp_avg', entry.exp_avg],
        ['exp_avg_sq', entry.exp_avg_sq],
      ]),
    );
  }
  return new Map<TorchKey, TorchWritable>([
    ['state', entries],
    ['param_groups', state.param_groups.map((group) => ({ ...group }))],
  ]);
}

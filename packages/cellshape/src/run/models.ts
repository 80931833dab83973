import { UnsupportedError } from '@cellshape/core';
import { cloudModel } from './cloud-model.js';
import type { ModelKind, ModelPlugin } from './model-plugin.js';

/**
 * The {@link ModelPlugin} of a model family.
 *
 * @throws UnsupportedError for `'voxel'`, which is not available in this version.
 */
export function modelPlugin(kind: ModelKind): ModelPlugin {
  switch (kind) {
    case 'cloud':
      return cloudModel;
    case 'voxel':
      throw new UnsupportedError(
        "modelPlugin: model 'voxel' is not available in this version of cellshape; use 'cloud' (point clouds)",
        { fn: 'modelPlugin', arg: 'model' },
      );
    default: {
      const never: never = kind;
      throw new UnsupportedError(`modelPlugin: unknown model ${JSON.stringify(never)}`, {
        fn: 'modelPlugin',
        arg: 'model',
      });
    }
  }
}

import { invalidArgument, UnsupportedError } from '@cellshape/core';
import { cloudModel } from './cloud-model.js';
import type { ModelPlugin } from './model-plugin.js';
import { PROFILE_MODELS } from './profile-models.js';
import { voxelModel } from './voxel-model.js';

/**
 * The model families runs can use, by name: the built-in `cloud` and `voxel`, the 2-D `siamese`,
 * `ae2d` and `classifier`, then what users register.
 */
const registry = new Map<string, ModelPlugin<object>>([
  [cloudModel.name, cloudModel],
  [voxelModel.name, voxelModel],
  ...PROFILE_MODELS.map((plugin) => [plugin.name, plugin] as const),
]);

/** The model family a run uses unless told otherwise. */
export const DEFAULT_MODEL = cloudModel.name;

const NAME = /^[a-z][a-z0-9-]*$/;

/**
 * Adds a model family to the run layer: `trainRun`, `extractRun`, `initialiseModel` and the
 * `cellshape` command find it by `plugin.name` (`--model <name>`), and its flags join those of
 * `cellshape train`.
 *
 * ```ts
 * registerModel(myVoxelPlugin);
 * await trainRun('masks/', 'runs/voxel', { model: { family: 'voxel', settings: { cube: 64 } } });
 * ```
 *
 * @throws InvalidArgumentError for a plugin without a lower-case name or required methods, or
 *   a name already registered (unregister it first to replace it).
 */
export function registerModel<S extends object>(plugin: ModelPlugin<S>): void {
  const fn = 'registerModel';
  if (plugin === null || typeof plugin !== 'object')
    throw invalidArgument(fn, 'plugin', 'a ModelPlugin', plugin);
  if (typeof plugin.name !== 'string' || !NAME.test(plugin.name))
    throw invalidArgument(fn, 'plugin.name', 'a lower-case name such as "voxel"', plugin.name);
  for (const method of [
    'resolveSettings',
    'openDataset',
    'createModel',
    'modelFromConfig',
    'architecture',
  ] as const)
    if (typeof plugin[method] !== 'function')
      throw invalidArgument(fn, `plugin.${method}`, 'a function', plugin[method]);
  if (!Array.isArray(plugin.flags))
    throw invalidArgument(fn, 'plugin.flags', 'an array', plugin.flags);
  if (registry.has(plugin.name))
    throw invalidArgument(fn, 'plugin.name', 'a name not registered yet', plugin.name);
  registry.set(plugin.name, plugin as ModelPlugin<object>);
}

/** Removes a registered model family (the built-in `cloud` cannot be removed); true if it was there. */
export function unregisterModel(name: string): boolean {
  if (name === cloudModel.name)
    throw invalidArgument(
      'unregisterModel',
      'name',
      'a family other than the built-in cloud',
      name,
    );
  return registry.delete(name);
}

/** The names of the registered model families, in registration order. */
export function modelNames(): string[] {
  return [...registry.keys()];
}

/** Every registered model family, in registration order. */
export function modelPlugins(): ModelPlugin<object>[] {
  return [...registry.values()];
}

/**
 * The registered model family `name`.
 *
 * @throws UnsupportedError naming the registered families when `name` is not one of them.
 */
export function modelPlugin(name: string): ModelPlugin<object> {
  const plugin = registry.get(name);
  if (plugin === undefined)
    throw new UnsupportedError(
      `modelPlugin: no model family ${JSON.stringify(name)} is registered (registered: ${modelNames().join(', ')})`,
      { fn: 'modelPlugin', arg: 'model' },
    );
  return plugin;
}

import * as tf from '@tensorflow/tfjs-core';

let patched = false;

/**
 * Replaces the wasm backend's `Identity` kernel, which copies its input, by one that shares
 * the input's data (reference-counted, as tfjs's cpu backend does). tfjs clones every tensor a
 * kernel saves for its gradient through `Identity`, so with the stock kernel each saved
 * activation (a convolution's input, a batch norm's input) is copied once per training step:
 * time, and a second full-size buffer per saved tensor. Tensors are immutable, and the engine's
 * kernels write only into outputs they have just allocated, so sharing is safe. Call after the
 * wasm backend is registered; idempotent.
 */
export function registerWasmSharedIdentity(): void {
  if (patched || tf.getKernel('Identity', 'wasm') === undefined) return;
  patched = true;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const x = inputs.x as tf.TensorInfo;
      (backend as unknown as { incRef(dataId: tf.DataId): void }).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
}

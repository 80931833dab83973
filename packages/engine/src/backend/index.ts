export { registerGradients } from './gradients.js';
export {
  BACKEND_ENV_VAR,
  BACKEND_NAMES,
  type BackendModules,
  type BackendName,
  currentBackend,
  type SelectBackendOptions,
  selectBackend,
} from './select-backend.js';
export {
  THREADED_WASM_TESTED_VERSION,
  WASM_THREADS_ENV_VAR,
  wasmThreadCount,
} from './threaded-wasm.js';

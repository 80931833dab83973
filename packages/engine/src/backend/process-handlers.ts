/** The process events whose listeners a backend must not take over. */
const GUARDED_EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

/**
 * Runs `load` (a tfjs backend set-up) and then puts the Node process's `uncaughtException` and
 * `unhandledRejection` listeners and `process.exitCode` back as they were. tfjs's wasm builds
 * are Emscripten modules that, in Node, install listeners rethrowing every uncaught error from
 * inside their minified code: Node then prints ~55 KB of that code before the user's message
 * and exits with code 7 instead of 1. tfjs never calls Emscripten's `exit`, the one thing those
 * listeners exist for, so removing them changes nothing else. Outside Node, runs `load` as is.
 */
export async function keepProcessHandlers<T>(load: () => Promise<T>): Promise<T> {
  const proc = typeof process !== 'undefined' ? process : undefined;
  if (typeof proc?.listeners !== 'function' || typeof proc.removeListener !== 'function')
    return load();
  // `listeners` typed per event name; the union of the two is not one of its overloads.
  const listeners = (event: (typeof GUARDED_EVENTS)[number]) =>
    proc.listeners(event as 'uncaughtException') as ((...args: unknown[]) => void)[];
  const before = GUARDED_EVENTS.map((event) => new Set(listeners(event)));
  const exitCode = proc.exitCode;
  try {
    return await load();
  } finally {
    GUARDED_EVENTS.forEach((event, i) => {
      for (const listener of listeners(event))
        if (!before[i]!.has(listener)) proc.removeListener(event, listener);
    });
    proc.exitCode = exitCode;
  }
}

import { checkOneOf, InvalidArgumentError, oneOf } from '@cellshape/core';
import { webAssembly } from '../../web-assembly.js';

/**
 * Which build of our WebAssembly kernels runs: `plain` writes each multiply-add as a SIMD
 * multiply then add (two roundings: the same bits on every machine); `relaxed` uses relaxed
 * SIMD's `f32x4.relaxed_madd`, a fused multiply-add where the hardware has one (about twice the
 * multiply-adds per cycle on x64 with FMA; one rounding, so results differ from `plain` in the
 * last bits, and may differ between machines).
 */
export type SimdVariant = 'plain' | 'relaxed';

/** What the user asks for: `auto` (the default) runs `relaxed` where the runtime can. */
export type SimdVariantChoice = 'auto' | 'plain';

const CHOICES: readonly SimdVariantChoice[] = ['auto', 'plain'];

/**
 * The environment variable that chooses the kernels' build: `plain` forces the plain SIMD one
 * (bit-identical results across machines, or A/B timings); `auto` or unset runs relaxed SIMD
 * where available.
 */
export const WASM_SIMD_ENV_VAR = 'CELLSHAPE_WASM_SIMD';

/** The smallest module using relaxed SIMD: one function returning `f32x4.relaxed_madd` of its three v128 parameters. */
export const RELAXED_SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b,
  0x01, 0x7b, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20,
  0x02, 0xfd, 0x85, 0x02, 0x0b,
]);

/** How {@link chooseSimdVariant} probes the runtime (injectable for tests). */
export interface RelaxedSimdRuntime {
  /** `WebAssembly.validate`. */
  validate(bytes: Uint8Array): boolean;
  /** Turns relaxed SIMD on if the runtime has a switch for it (Node 20's V8 flag); may throw. */
  enable(): void;
}

/**
 * The build to run for `choice`: `plain` when asked; else `relaxed` if the runtime validates
 * {@link RELAXED_SIMD_PROBE}, first as it is, then after `runtime.enable()` (tried only when
 * the first validation fails, its errors ignored); else `plain`.
 */
export function chooseSimdVariant(
  choice: SimdVariantChoice,
  runtime: RelaxedSimdRuntime,
): SimdVariant {
  if (choice === 'plain') return 'plain';
  if (runtime.validate(RELAXED_SIMD_PROBE)) return 'relaxed';
  try {
    runtime.enable();
  } catch {
    return 'plain';
  }
  return runtime.validate(RELAXED_SIMD_PROBE) ? 'relaxed' : 'plain';
}

/**
 * This process's runtime: Node 20 (V8 11.3) has relaxed SIMD behind
 * `--experimental-wasm-relaxed-simd`, which V8 accepts at run time before a module using it is
 * compiled; Node 22+ and current browsers have it on by default.
 */
const RUNTIME: RelaxedSimdRuntime = {
  validate: (bytes) => {
    try {
      return (webAssembly() as unknown as { validate(b: Uint8Array): boolean }).validate(bytes);
    } catch {
      return false;
    }
  },
  enable: () => {
    // Node ≥ 20.16 only (the package needs ≥ 20.19); elsewhere nothing to switch.
    const node = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
      .process;
    const v8 = node?.getBuiltinModule?.('node:v8') as
      | { setFlagsFromString(flags: string): void }
      | undefined;
    v8?.setFlagsFromString('--experimental-wasm-relaxed-simd');
  },
};

let choice: SimdVariantChoice | undefined;
let active: SimdVariant | undefined;

/** The choice of {@link WASM_SIMD_ENV_VAR} (`auto` when unset). */
function choiceFromEnvironment(): SimdVariantChoice {
  const fn = 'wasmSimdVariant';
  const raw =
    typeof process === 'undefined'
      ? undefined
      : process.env[WASM_SIMD_ENV_VAR]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return 'auto';
  if (!(CHOICES as readonly string[]).includes(raw))
    throw new InvalidArgumentError(
      `${fn}: environment variable ${WASM_SIMD_ENV_VAR} must be ${oneOf(CHOICES)}, got ${JSON.stringify(raw)}`,
    );
  return raw as SimdVariantChoice;
}

/**
 * The build of our WebAssembly kernels that runs in this process (decided on first use, see
 * {@link useWasmSimdVariant}); every thread runs the same one.
 *
 * @throws InvalidArgumentError when {@link WASM_SIMD_ENV_VAR} is neither `auto` nor `plain`.
 */
export function wasmSimdVariant(): SimdVariant {
  choice ??= choiceFromEnvironment();
  active ??= chooseSimdVariant(choice, RUNTIME);
  return active;
}

/**
 * Chooses the build of our WebAssembly kernels (overriding {@link WASM_SIMD_ENV_VAR}): `plain`
 * for results that are bit-identical across machines, `auto` for relaxed SIMD's fused
 * multiply-add where the runtime has it; no argument returns to the environment variable's
 * choice. Kernels instantiated before are replaced on their next call, on every thread.
 *
 * @throws InvalidArgumentError for another choice.
 */
export function useWasmSimdVariant(want?: SimdVariantChoice): void {
  choice = want === undefined ? undefined : checkOneOf('useWasmSimdVariant', 'want', want, CHOICES);
  active = undefined;
}

/** The base64 module of the running build, from a generated module's two builds. */
export function variantBase64(builds: Readonly<Record<SimdVariant, string>>): {
  variant: SimdVariant;
  base64: string;
} {
  const variant = wasmSimdVariant();
  return { variant, base64: builds[variant] };
}

import { isCellshapeError } from '@cellshape/core';
import { afterEach, describe, expect, test } from 'vitest';
import { compileWatText } from './compile-wat.js';
import {
  chooseSimdVariant,
  RELAXED_SIMD_PROBE,
  type RelaxedSimdRuntime,
  useWasmSimdVariant,
  WASM_SIMD_ENV_VAR,
  wasmSimdVariant,
} from './simd-variant.js';

/** A runtime whose validations answer `answers` in turn, recording the calls. */
function fakeRuntime(answers: boolean[], enable: () => void = () => undefined) {
  const calls: string[] = [];
  const runtime: RelaxedSimdRuntime = {
    validate: (bytes) => {
      expect(bytes).toBe(RELAXED_SIMD_PROBE);
      calls.push('validate');
      return answers.shift() ?? false;
    },
    enable: () => {
      calls.push('enable');
      enable();
    },
  };
  return { runtime, calls };
}

describe('choosing the build of the WebAssembly kernels', () => {
  afterEach(() => {
    delete process.env[WASM_SIMD_ENV_VAR];
    useWasmSimdVariant();
  });

  test('the probe is the one-function module using f32x4.relaxed_madd', async () => {
    const text = `(module (func (param v128 v128 v128) (result v128)
      (f32x4.madd (local.get 0) (local.get 1) (local.get 2))))`;
    expect(await compileWatText('probe', text, 'relaxed')).toEqual(RELAXED_SIMD_PROBE);
  });

  test('relaxed when the runtime validates the probe at once, without touching its flags', () => {
    const { runtime, calls } = fakeRuntime([true]);
    expect(chooseSimdVariant('auto', runtime)).toBe('relaxed');
    expect(calls).toEqual(['validate']);
  });

  test('relaxed when the probe validates once relaxed SIMD is enabled (Node 20)', () => {
    const { runtime, calls } = fakeRuntime([false, true]);
    expect(chooseSimdVariant('auto', runtime)).toBe('relaxed');
    expect(calls).toEqual(['validate', 'enable', 'validate']);
  });

  test('falls back to plain when relaxed SIMD stays unavailable or enabling it throws', () => {
    expect(chooseSimdVariant('auto', fakeRuntime([false, false]).runtime)).toBe('plain');
    const throwing = fakeRuntime([false, true], () => {
      throw new Error('no v8 here');
    });
    expect(chooseSimdVariant('auto', throwing.runtime)).toBe('plain');
    expect(throwing.calls).toEqual(['validate', 'enable']);
  });

  test('plain when asked, without probing', () => {
    const { runtime, calls } = fakeRuntime([true]);
    expect(chooseSimdVariant('plain', runtime)).toBe('plain');
    expect(calls).toEqual([]);
  });

  test('this process runs relaxed exactly when it validates the probe; plain when asked', () => {
    useWasmSimdVariant('auto');
    const chosen = wasmSimdVariant();
    const wasm = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } })
      .WebAssembly;
    expect(chosen).toBe(wasm.validate(RELAXED_SIMD_PROBE) ? 'relaxed' : 'plain');
    useWasmSimdVariant('plain');
    expect(wasmSimdVariant()).toBe('plain');
  });

  test(`${WASM_SIMD_ENV_VAR}=plain forces plain; other values are refused, naming the variable`, () => {
    process.env[WASM_SIMD_ENV_VAR] = 'plain';
    useWasmSimdVariant(); // back to the environment's choice
    expect(wasmSimdVariant()).toBe('plain');
    process.env[WASM_SIMD_ENV_VAR] = 'fast';
    useWasmSimdVariant();
    expect(() => wasmSimdVariant()).toThrow(/CELLSHAPE_WASM_SIMD must be 'auto' or 'plain'/);
  });

  test('useWasmSimdVariant refuses other choices with a typed error', () => {
    let caught: unknown;
    try {
      useWasmSimdVariant('relaxed' as never);
    } catch (e) {
      caught = e;
    }
    expect(isCellshapeError(caught, 'INVALID_ARGUMENT')).toBe(true);
    expect(String(caught)).toMatch(/useWasmSimdVariant: 'want' must be/);
  });
});

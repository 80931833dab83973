import { describe, expect, test } from 'vitest';
import { compileWatText, expandMultiplyAdds, hasMultiplyAdds } from './compile-wat.js';

describe('the multiply-add of the .wat sources (f32x4.madd a b c = a·b + c)', () => {
  test('becomes a multiply then an add (plain) or relaxed_madd (relaxed), operands in order', () => {
    const src =
      '(local.set $x (f32x4.madd (local.get $s) (v128.load offset=16 (local.get $b)) (local.get $x)))';
    expect(expandMultiplyAdds(src, 'plain')).toBe(
      '(local.set $x (f32x4.add (f32x4.mul (local.get $s) (v128.load offset=16 (local.get $b))) (local.get $x)))',
    );
    expect(expandMultiplyAdds(src, 'relaxed')).toBe(
      '(local.set $x (f32x4.relaxed_madd (local.get $s) (v128.load offset=16 (local.get $b)) (local.get $x)))',
    );
  });

  test('nested, across lines and beside comments; comments mentioning it are left alone', () => {
    const src = `;; write (f32x4.madd a b c) for a·b + c
      (f32x4.madd (local.get $a) ;; the row value
        (local.get $b) (; the column ;)
        (f32x4.madd (local.get $c) (local.get $d) (local.get $e)))`;
    const plain = expandMultiplyAdds(src, 'plain');
    expect(plain).toContain(';; write (f32x4.madd a b c) for a·b + c');
    expect(plain).toContain(
      '(f32x4.add (f32x4.mul (local.get $a) (local.get $b)) (f32x4.add (f32x4.mul (local.get $c) (local.get $d)) (local.get $e)))',
    );
    expect(hasMultiplyAdds(src)).toBe(true);
    expect(hasMultiplyAdds('(f32x4.add (local.get $a) (local.get $b))')).toBe(false);
  });

  test('a wrong form is refused naming its line', () => {
    expect(() =>
      expandMultiplyAdds('\n(f32x4.madd (local.get $a) (local.get $b))', 'plain'),
    ).toThrow(/line 2: f32x4.madd takes 3 operands \(a b c = a·b \+ c\), got 2/);
    expect(() =>
      expandMultiplyAdds('(f32x4.madd $a (local.get $b) (local.get $c))', 'relaxed'),
    ).toThrow(/line 1: f32x4.madd's operands must be folded expressions/);
    expect(() => expandMultiplyAdds('(f32x4.madd (local.get $a) (local.get $b', 'plain')).toThrow(
      /unbalanced parentheses/,
    );
  });

  test('both builds of a module compute a·b + c (the relaxed one rounded once where fused)', async () => {
    const text = `(module (func (export "f") (param f32 f32 f32) (result f32)
      (f32x4.extract_lane 0 (f32x4.madd (f32x4.splat (local.get 0)) (f32x4.splat (local.get 1))
        (f32x4.splat (local.get 2))))))`;
    const wasm = (globalThis as unknown as { WebAssembly: typeof WebAssemblyLike }).WebAssembly;
    const plain = await compileWatText('t', text, 'plain');
    const f = new wasm.Instance(new wasm.Module(plain), {}).exports.f;
    expect(f(3, 4, 5)).toBe(17);
    // (1 + 2⁻¹²)² − 1 = 2⁻¹¹ + 2⁻²⁴: the plain build rounds the product to 1 + 2⁻¹¹ first.
    const e = 2 ** -12;
    expect(f(1 + e, 1 + e, -1)).toBe(2 ** -11);
    const relaxed = await compileWatText('t', text, 'relaxed');
    if (!wasm.validate(relaxed)) return; // no relaxed SIMD in this runtime
    const g = new wasm.Instance(new wasm.Module(relaxed), {}).exports.f;
    expect(g(3, 4, 5)).toBe(17);
    expect([2 ** -11, 2 ** -11 + 2 ** -24]).toContain(g(1 + e, 1 + e, -1));
  });
});

/** The slice of the global WebAssembly this test uses. */
declare const WebAssemblyLike: {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (
    module: object,
    imports: object,
  ) => { exports: { f(a: number, b: number, c: number): number } };
};

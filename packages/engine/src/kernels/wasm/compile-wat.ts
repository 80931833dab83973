import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import type { SimdVariant } from './simd-variant.js';

/** The WebAssembly features each variant uses. */
const FEATURES = {
  plain: { simd: true, threads: true, bulk_memory: true },
  relaxed: { simd: true, threads: true, bulk_memory: true, relaxed_simd: true },
} as const;

/**
 * The build's multiply-add, written in a .wat in folded form with three operands:
 * `(f32x4.madd a b c)` = a·b + c, lane-wise. It is no WebAssembly instruction (wabt refuses it):
 * {@link expandMultiplyAdds} turns it into `(f32x4.add (f32x4.mul a b) c)` for the plain module
 * and `(f32x4.relaxed_madd a b c)` for the relaxed one, so one source gives both. Operands are
 * evaluated in the order written in both forms.
 */
export const MULTIPLY_ADD = 'f32x4.madd';

/** Whether `text` writes any {@link MULTIPLY_ADD} (whether it has a relaxed variant). */
export function hasMultiplyAdds(text: string): boolean {
  return text.includes(`(${MULTIPLY_ADD}`);
}

/**
 * `text` with every `(f32x4.madd a b c)` written out for `variant` (nested ones too); throws,
 * naming the line, when one has not exactly three parenthesised operands.
 */
export function expandMultiplyAdds(text: string, variant: SimdVariant): string {
  const head = `(${MULTIPLY_ADD}`;
  let out = '';
  let from = 0;
  for (;;) {
    const at = text.indexOf(head, from);
    if (at < 0) return out + text.slice(from);
    if (inLineComment(text, at)) {
      out += text.slice(from, at + head.length);
      from = at + head.length;
      continue;
    }
    const line = text.slice(0, at).split('\n').length;
    const operands: string[] = [];
    let i = at + head.length;
    if (!/\s/.test(text[i] ?? ''))
      throw new Error(`expandMultiplyAdds: line ${line}: ${head} is not an instruction here`);
    for (;;) {
      i = skipBlank(text, i);
      if (text[i] === ')') break;
      if (text[i] !== '(')
        throw new Error(
          `expandMultiplyAdds: line ${line}: ${MULTIPLY_ADD}'s operands must be folded expressions in parentheses`,
        );
      const end = closingParen(text, i, line);
      operands.push(expandMultiplyAdds(text.slice(i, end + 1), variant));
      i = end + 1;
    }
    if (operands.length !== 3)
      throw new Error(
        `expandMultiplyAdds: line ${line}: ${MULTIPLY_ADD} takes 3 operands (a b c = a·b + c), got ${operands.length}`,
      );
    const [a, b, c] = operands;
    out += text.slice(from, at);
    out +=
      variant === 'relaxed'
        ? `(f32x4.relaxed_madd ${a} ${b} ${c})`
        : `(f32x4.add (f32x4.mul ${a} ${b}) ${c})`;
    from = i + 1;
  }
}

/** Whether position `at` of `text` is inside a `;;` comment. */
function inLineComment(text: string, at: number): boolean {
  return text.slice(text.lastIndexOf('\n', at) + 1, at).includes(';;');
}

/** The index of the first character at or after `i` that is neither blank nor in a comment. */
function skipBlank(text: string, i: number): number {
  for (;;) {
    if (/\s/.test(text[i] ?? '')) i++;
    else if (text.startsWith(';;', i))
      i = text.indexOf('\n', i) < 0 ? text.length : text.indexOf('\n', i);
    else if (text.startsWith('(;', i)) i = text.indexOf(';)', i) + 2;
    else return i;
  }
}

/** The index of the parenthesis closing the one at `open` (comments skipped). */
function closingParen(text: string, open: number, line: number): number {
  let depth = 0;
  for (let i = open; i < text.length; ) {
    const next = skipBlank(text, i);
    if (next !== i) {
      i = next;
      continue;
    }
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i;
    i++;
  }
  throw new Error(`expandMultiplyAdds: line ${line}: unbalanced parentheses`);
}

/**
 * Compiles a `.wat` file of this folder with wabt, its multiply-adds written out for `variant`
 * (wabt is a development dependency: used by the build script and the tests that keep each
 * generated module in step with its source, never at run time).
 */
export async function compileWat(
  file: string,
  variant: SimdVariant = 'plain',
): Promise<Uint8Array> {
  const path = fileURLToPath(new URL(`./${file}`, import.meta.url));
  return compileWatText(file, readFileSync(path, 'utf8'), variant);
}

/** {@link compileWat} of the text of a module (`name` labels wabt's errors). */
export async function compileWatText(
  name: string,
  text: string,
  variant: SimdVariant = 'plain',
): Promise<Uint8Array> {
  const { default: init } = await import('wabt');
  const wabt = await init();
  const features = FEATURES[variant];
  const module = wabt.parseWat(name, expandMultiplyAdds(text, variant), features);
  try {
    // wabt's typings omit validate's feature argument; without it shared memory is refused.
    (module.validate as (f: typeof features) => void)(features);
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}

/** Compiles row-kernels.wat. */
export function compileRowKernels(): Promise<Uint8Array> {
  return compileWat('row-kernels.wat');
}

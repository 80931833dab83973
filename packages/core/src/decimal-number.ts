/**
 * `Number(text)` for decimal text only, `NaN` otherwise. JavaScript's `Number` also reads
 * binary, octal and hexadecimal literals (`"0x10"` → 16, `"0b11"` → 3, `"0o7"` → 7), which
 * Python, NumPy and pandas refuse as numbers: a text reader taking them would silently read a
 * value no other tool reads. Decimal forms (`"1e5"`, `".5"`, `"+3"`, surrounding white space)
 * and `Number`'s other answers (`""` → 0, `"Infinity"`) are unchanged: callers check those.
 */
export function decimalNumber(text: string | undefined): number {
  const value = Number(text);
  return !Number.isNaN(value) && text !== undefined && radixPrefixed(text) ? Number.NaN : value;
}

const ZERO = 48;

/** Whether `text` (which `Number` read as a number) starts `0x`, `0b` or `0o`, any case. */
function radixPrefixed(text: string): boolean {
  const first = text.charCodeAt(0);
  if (first === ZERO) return isRadixLetter(text.charCodeAt(1));
  // Digits 1–9, a sign or a point start decimal text (a prefixed literal takes no sign).
  if ((first > ZERO && first <= 57) || first === 43 || first === 45 || first === 46) return false;
  return /^\s*0[xXbBoO]/.test(text);
}

function isRadixLetter(code: number): boolean {
  const lower = code | 32;
  return lower === 120 || lower === 98 || lower === 111; // x, b, o
}

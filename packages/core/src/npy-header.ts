import { FormatError, UnsupportedError } from './errors.js';

/**
 * The header of a `.npy` file, read as NumPy reads it: a Python dict literal
 * (`ast.literal_eval`), then its keys and value types checked. Picking the keys out of the text
 * with patterns, as we did, accepted a third of the damaged headers NumPy refuses: a shape
 * `(5, 0.0, 7)` read as an empty array, a NUL in the padding went unnoticed.
 */

export interface NpyHeader {
  /** The dtype string, e.g. `<f4`. */
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

/** A tuple, told apart from a list (`shape` must be a tuple). */
class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

/** A literal's value: str, int (bigint), float or complex (number), bool, None, tuple, list. */
type PyValue = string | bigint | number | boolean | null | PyTuple | PyValue[];

/** Python's integer literals (`_` between digits; no leading zeros in decimal). */
const INT =
  /(?:0[xX](?:_?[\da-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|[1-9](?:_?\d)*|0(?:_?0)*)/;
const DIGITS = /\d(?:_?\d)*/.source;
/** Python's float and imaginary literals (a point, an exponent or a `j`: `05` is no number). */
const FLOAT = new RegExp(
  `(?:(?:${DIGITS})?\\.${DIGITS}|${DIGITS}\\.)(?:[eE][+-]?${DIGITS})?[jJ]?|${DIGITS}[eE][+-]?${DIGITS}[jJ]?|${DIGITS}[jJ]`,
);
/** A number ends where no name or number character follows (`12abc` is not Python). */
const END = /(?![\w.])/.source;
/** …or, in a Python 2 header, where its `L` follows. */
const END_OR_LONG = /(?:(?![\w.])|(?=L(?![\w.])))/.source;

/** Sticky forms of the number patterns, compiled once: with and without Python 2's `L`. */
const NUMBERS = {
  int: new RegExp(`(?:${INT.source})${END}`, 'y'),
  float: new RegExp(`(?:${FLOAT.source})${END}`, 'y'),
  intBeforeLong: new RegExp(`(?:${INT.source})${END_OR_LONG}`, 'y'),
  floatBeforeLong: new RegExp(`(?:${FLOAT.source})${END_OR_LONG}`, 'y'),
};

/** NumPy's most dimensions (`NPY_MAXDIMS`): np.load refuses a header of more. */
const MAX_DIMENSIONS = 32;

/** Nesting deeper than this is refused (NumPy's headers nest two levels: a structured dtype). */
const MAX_DEPTH = 32;

/**
 * Parses the header `text` (the bytes after the length field, decoded). `pythonTwoLongs`: drop
 * an `L` after a number, as NumPy does for format versions 1 and 2 (files from Python 2).
 */
export function parseNpyHeader(text: string, fn: string, pythonTwoLongs: boolean): NpyHeader {
  const reader = new LiteralReader(text, fn, pythonTwoLongs);
  const dict = reader.dict();
  const [descr, fortranOrder, shape] = ['descr', 'fortran_order', 'shape'].map((k) => dict.get(k));
  if (dict.size !== 3 || descr === undefined || fortranOrder === undefined || shape === undefined)
    throw reader.fail(
      `its keys are ${JSON.stringify([...dict.keys()])}, not descr, fortran_order and shape`,
    );
  if (Array.isArray(descr))
    throw new UnsupportedError(
      `${fn}: structured dtypes are not supported (numeric and bool only)`,
      {
        fn,
        arg: 'bytes',
      },
    );
  if (typeof descr !== 'string') throw reader.fail('descr is not a string');
  if (typeof fortranOrder !== 'boolean') throw reader.fail('fortran_order is not True or False');
  if (!(shape instanceof PyTuple)) throw reader.fail('the shape is not a tuple');
  if (shape.items.length > MAX_DIMENSIONS)
    throw reader.fail(`the shape has ${shape.items.length} dimensions, NumPy's most is 32`);
  // Safe integers only: a zero-sized array may name any other size, which must still be exact.
  const dims = shape.items.map((d) =>
    typeof d === 'bigint' && d >= 0n && d <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(d) : -1,
  );
  if (dims.includes(-1)) throw reader.fail('the shape holds a value that is not a size');
  return { descr, fortranOrder, shape: dims };
}

/** A reader of the Python literals a header may hold, over `text` from position `at`. */
class LiteralReader {
  private at = 0;

  constructor(
    private readonly text: string,
    private readonly fn: string,
    private readonly pythonTwoLongs: boolean,
  ) {}

  fail(what: string): FormatError {
    return new FormatError(
      `${this.fn}: the .npy header is malformed (${what}): ${JSON.stringify(this.text.slice(0, 120))}`,
      { fn: this.fn, arg: 'bytes' },
    );
  }

  /** The top-level dict (the last value of a repeated key wins), then only blanks and comments. */
  dict(): Map<string, PyValue> {
    this.take('{');
    const entries = new Map<string, PyValue>();
    while (this.peek() !== '}') {
      const key = this.value(1);
      if (typeof key !== 'string') throw this.fail(`a key that is not a string at ${this.at}`);
      this.take(':');
      entries.set(key, this.value(1));
      if (!this.separator('}')) break;
    }
    this.take('}');
    if (this.peek() !== undefined) throw this.fail(`text after the dict at character ${this.at}`);
    return entries;
  }

  /** The next character after blanks and comments (Python's whitespace inside brackets). */
  private peek(): string | undefined {
    const { text } = this;
    for (;;) {
      while (this.at < text.length && ' \t\n\r\f\v'.includes(text[this.at]!)) this.at++;
      if (text[this.at] !== '#') return text[this.at];
      const end = text.indexOf('\n', this.at);
      this.at = end < 0 ? text.length : end;
    }
  }

  private take(token: string): void {
    if (this.peek() !== token) throw this.fail(`expected '${token}' at character ${this.at}`);
    this.at++;
  }

  /** After an element: a comma (true), or the closing bracket next (false). */
  private separator(close: string): boolean {
    if (this.peek() === ',') {
      this.at++;
      return true;
    }
    if (this.peek() !== close)
      throw this.fail(`expected ',' or '${close}' at character ${this.at}`);
    return false;
  }

  /** The text `pattern` (sticky: flag `y`) matches at the reader's position, consumed. */
  private match(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.at;
    const found = pattern.exec(this.text);
    if (found) this.at += found[0].length;
    return found?.[0];
  }

  private value(depth: number): PyValue {
    if (depth > MAX_DEPTH) throw this.fail(`nested more than ${MAX_DEPTH} deep`);
    const c = this.peek();
    if (c === '(' || c === '[') return this.sequence(c, depth);
    // Plain strings only, `u'…'` too: no escapes, no line breaks (NumPy writes none).
    const s = this.match(/[uU]?(?:'[^'\\\n]*'|"[^"\\\n]*")/y);
    if (s !== undefined) return s.slice(s[0] === 'u' || s[0] === 'U' ? 2 : 1, -1);
    const name = this.match(/(?:True|False|None)\b/y);
    if (name !== undefined) return name === 'None' ? null : name === 'True';
    return this.number();
  }

  private sequence(open: '(' | '[', depth: number): PyValue {
    const close = open === '(' ? ')' : ']';
    this.take(open);
    const items: PyValue[] = [];
    let comma = false;
    while (this.peek() !== close) {
      items.push(this.value(depth + 1));
      comma = this.separator(close);
      if (!comma) break;
    }
    this.take(close);
    if (open === '[') return items;
    // `(x)` is x itself; `(x,)` and `()` are tuples.
    return items.length === 1 && !comma ? items[0]! : new PyTuple(items);
  }

  /** An int (a bigint) or a float or imaginary number (a number), with an optional sign. */
  private number(): bigint | number {
    const sign = this.match(/[+-]\s*/y)?.trim() ?? '';
    this.peek();
    const long = this.pythonTwoLongs;
    const int = this.match(long ? NUMBERS.intBeforeLong : NUMBERS.int);
    const literal = int ?? this.match(long ? NUMBERS.floatBeforeLong : NUMBERS.float);
    if (literal === undefined) throw this.fail(`unexpected text at character ${this.at}`);
    if (long) this.match(/\s*L\b/y);
    const plain = literal.replaceAll('_', '');
    if (int === undefined) return Number(`${sign}${plain.replace(/[jJ]$/, '')}`);
    const magnitude = BigInt(plain);
    return sign === '-' ? -magnitude : magnitude;
  }
}

import { FormatError, UnsupportedError } from '@cellshape/core';

/**
 * A safe, minimal Python unpickler for the opcodes `torch.save` emits (protocols 2 to 5).
 * It never executes anything: GLOBAL / STACK_GLOBAL, REDUCE, BUILD and BINPERSID are handed to
 * the caller's hooks, which allow a short whitelist and throw for everything else. Python
 * values map to: `None` → `null`, `bool`, `int` → `number` (`bigint` beyond ±2^53), `float`,
 * `str`, `list` and `tuple` → arrays, `dict` → `Map`.
 */

/** How the unpickler resolves the opcodes that would run code in Python. */
export interface UnpickleHooks {
  /** GLOBAL / STACK_GLOBAL: returns a token for an allowed global, throws otherwise. */
  resolveGlobal(module: string, name: string): unknown;
  /** REDUCE: the result of `callable(*args)`, `callable` coming from `resolveGlobal`. */
  reduce(callable: unknown, args: unknown[]): unknown;
  /** BINPERSID: the object a persistent id stands for (torch storages). */
  persistentLoad(pid: unknown): unknown;
  /** BUILD: `obj.__setstate__(state)`; returns the built object. */
  build(obj: unknown, state: unknown): unknown;
}

const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** Opcode names, for error messages about the opcodes this unpickler refuses. */
const KNOWN_UNSUPPORTED: Record<number, string> = {
  66: 'BINBYTES',
  67: 'SHORT_BINBYTES',
  142: 'BINBYTES8',
  150: 'BYTEARRAY8',
  129: 'NEWOBJ',
  146: 'NEWOBJ_EX',
  143: 'EMPTY_SET',
  144: 'ADDITEMS',
  145: 'FROZENSET',
  105: 'INST',
  111: 'OBJ',
  73: 'INT',
  76: 'LONG',
  70: 'FLOAT',
  83: 'STRING',
  84: 'BINSTRING',
  85: 'SHORT_BINSTRING',
  86: 'UNICODE',
  112: 'PUT',
  103: 'GET',
  80: 'PERSID',
  130: 'EXT1',
  131: 'EXT2',
  132: 'EXT4',
  151: 'NEXT_BUFFER',
  152: 'READONLY_BUFFER',
};

/** The longest int (LONG4) read: 64 KiB, half a million bits. */
const MAX_LONG_BYTES = 2 ** 16;

/** Decodes a little-endian two's-complement integer (LONG1 / LONG4). */
function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  // Through a hex string: linear in the length (a shift per byte is quadratic for LONG4).
  let hex = '';
  for (let i = bytes.length - 1; i >= 0; i--) hex += bytes[i]!.toString(16).padStart(2, '0');
  let value = BigInt(`0x${hex}`);
  if (bytes[bytes.length - 1]! & 0x80) value -= 1n << BigInt(8 * bytes.length);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value;
}

/** A dict key the unpickler accepts (SETITEM(S)); the reader checks OrderedDict keys by the same rule. */
export function isKey(value: unknown): boolean {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'bigint' ||
    typeof value === 'boolean'
  );
}

/** The unpickler's state: the program, its read position, the stack, its marks and the memo. */
class Machine {
  readonly view: DataView;
  readonly stack: unknown[] = [];
  readonly marks: number[] = [];
  readonly memo = new Map<number, unknown>();
  pos = 0;

  constructor(
    readonly bytes: Uint8Array,
    readonly hooks: UnpickleHooks,
    readonly fn: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(message: string): FormatError {
    return new FormatError(`${this.fn}: corrupt pickle: ${message} (at byte ${this.pos})`, {
      fn: this.fn,
    });
  }
  /** Advances past `n` bytes and returns where they start; throws when the pickle ends first. */
  need(n: number): number {
    if (this.pos + n > this.bytes.length) throw this.fail(`truncated, ${n} more bytes expected`);
    const at = this.pos;
    this.pos += n;
    return at;
  }
  pop(): unknown {
    const { stack, marks } = this;
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1]!))
      throw this.fail('stack underflow');
    return stack.pop();
  }
  top(): unknown {
    if (this.stack.length === 0) throw this.fail('stack underflow');
    return this.stack[this.stack.length - 1];
  }
  popMark(): unknown[] {
    const mark = this.marks.pop();
    if (mark === undefined) throw this.fail('MARK expected');
    return this.stack.splice(mark);
  }
  text(length: number): string {
    const at = this.need(length);
    try {
      return textDecoder.decode(this.bytes.subarray(at, at + length));
    } catch {
      throw this.fail('invalid UTF-8 string');
    }
  }
  line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) throw this.fail('truncated inside a GLOBAL name');
    let value: string;
    try {
      value = textDecoder.decode(this.bytes.subarray(this.pos, end));
    } catch {
      throw this.fail('invalid UTF-8 in a GLOBAL name');
    }
    this.pos = end + 1;
    return value;
  }
  memoGet(index: number): unknown {
    if (!this.memo.has(index)) throw this.fail(`memo entry ${index} is missing`);
    return this.memo.get(index);
  }
  setItems(target: unknown, items: unknown[]): void {
    if (!(target instanceof Map)) throw this.fail('SETITEM(S) on something other than a dict');
    if (items.length % 2 !== 0) throw this.fail('SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2) {
      const key = items[i];
      if (!isKey(key))
        throw new UnsupportedError(`${this.fn}: dict keys other than str, int, bool or None`, {
          fn: this.fn,
        });
      target.set(key, items[i + 1]);
    }
  }
  append(target: unknown, items: unknown[]): void {
    if (!Array.isArray(target)) throw this.fail('APPEND(S) on something other than a list');
    // One push per item: push(...items) overflows the call stack for ~100k items.
    for (const item of items) target.push(item);
  }
}

/** What one opcode does to the machine (its arguments read from the program). */
type OpHandler = (m: Machine) => void;

/** PROTO, FRAME, MARK. */
const FRAMING_OPS: Record<number, OpHandler> = {
  128: (m) => {
    const protocol = m.bytes[m.need(1)]!;
    if (protocol > 5)
      throw new UnsupportedError(`${m.fn}: pickle protocol ${protocol} is not supported`, {
        fn: m.fn,
      });
  },
  149: (m) => {
    m.need(8); // FRAME: only a read-ahead hint
  },
  40: (m) => {
    m.marks.push(m.stack.length);
  },
};

/** Numbers, booleans and None: BININT(1/2), LONG1/4, BINFLOAT, NEWTRUE/NEWFALSE, NONE. */
const SCALAR_OPS: Record<number, OpHandler> = {
  74: (m) => {
    m.stack.push(m.view.getInt32(m.need(4), true));
  },
  75: (m) => {
    m.stack.push(m.bytes[m.need(1)]!);
  },
  77: (m) => {
    m.stack.push(m.view.getUint16(m.need(2), true));
  },
  138: (m) => {
    const length = m.bytes[m.need(1)]!;
    const at = m.need(length);
    m.stack.push(decodeLong(m.bytes.subarray(at, at + length)));
  },
  139: (m) => {
    const length = m.view.getUint32(m.need(4), true);
    // BigInt stops at 2^30 bits (a RangeError); no checkpoint holds an int near that.
    if (length > MAX_LONG_BYTES)
      throw new UnsupportedError(
        `${m.fn}: the pickle holds a ${length}-byte int (LONG4); ints of more than ${MAX_LONG_BYTES} bytes are not supported`,
        { fn: m.fn },
      );
    const at = m.need(length);
    m.stack.push(decodeLong(m.bytes.subarray(at, at + length)));
  },
  71: (m) => {
    m.stack.push(m.view.getFloat64(m.need(8), false));
  },
  136: (m) => {
    m.stack.push(true);
  },
  137: (m) => {
    m.stack.push(false);
  },
  78: (m) => {
    m.stack.push(null);
  },
};

/** Strings: BINUNICODE, SHORT_BINUNICODE, BINUNICODE8 (no longer than the pickle). */
const STRING_OPS: Record<number, OpHandler> = {
  88: (m) => {
    m.stack.push(m.text(m.view.getUint32(m.need(4), true)));
  },
  140: (m) => {
    m.stack.push(m.text(m.bytes[m.need(1)]!));
  },
  141: (m) => {
    const length = m.view.getBigUint64(m.need(8), true);
    if (length > BigInt(m.bytes.length)) throw m.fail('string longer than the pickle');
    m.stack.push(m.text(Number(length)));
  },
};

/** Dicts, lists and tuples: their creation and filling. */
const CONTAINER_OPS: Record<number, OpHandler> = {
  125: (m) => {
    m.stack.push(new Map());
  },
  93: (m) => {
    m.stack.push([]);
  },
  41: (m) => {
    m.stack.push([]);
  },
  133: (m) => {
    m.stack.push([m.pop()]);
  },
  134: (m) => {
    const b = m.pop();
    m.stack.push([m.pop(), b]);
  },
  135: (m) => {
    const c = m.pop();
    const b = m.pop();
    m.stack.push([m.pop(), b, c]);
  },
  116: (m) => {
    m.stack.push(m.popMark());
  },
  115: (m) => {
    const value = m.pop();
    const key = m.pop();
    m.setItems(m.top(), [key, value]);
  },
  117: (m) => {
    const items = m.popMark();
    m.setItems(m.top(), items);
  },
  97: (m) => {
    const value = m.pop();
    m.append(m.top(), [value]);
  },
  101: (m) => {
    const items = m.popMark();
    m.append(m.top(), items);
  },
};

/** The memo: BINPUT, LONG_BINPUT, MEMOIZE, BINGET, LONG_BINGET. */
const MEMO_OPS: Record<number, OpHandler> = {
  113: (m) => {
    m.memo.set(m.bytes[m.need(1)]!, m.top());
  },
  114: (m) => {
    m.memo.set(m.view.getUint32(m.need(4), true), m.top());
  },
  148: (m) => {
    m.memo.set(m.memo.size, m.top());
  },
  104: (m) => {
    m.stack.push(m.memoGet(m.bytes[m.need(1)]!));
  },
  106: (m) => {
    m.stack.push(m.memoGet(m.view.getUint32(m.need(4), true)));
  },
};

/** The opcodes that would run code in Python, handed to the hooks (the allow-list lives there). */
const HOOK_OPS: Record<number, OpHandler> = {
  99: (m) => {
    const module = m.line();
    m.stack.push(m.hooks.resolveGlobal(module, m.line()));
  },
  147: (m) => {
    const name = m.pop();
    const module = m.pop();
    if (typeof module !== 'string' || typeof name !== 'string')
      throw m.fail('STACK_GLOBAL needs two strings');
    m.stack.push(m.hooks.resolveGlobal(module, name));
  },
  82: (m) => {
    const args = m.pop();
    if (!Array.isArray(args)) throw m.fail('REDUCE needs an argument tuple');
    m.stack.push(m.hooks.reduce(m.pop(), args));
  },
  98: (m) => {
    const state = m.pop();
    m.stack.push(m.hooks.build(m.pop(), state));
  },
  81: (m) => {
    m.stack.push(m.hooks.persistentLoad(m.pop()));
  },
};

/** POP, POP_MARK, DUP. */
const STACK_OPS: Record<number, OpHandler> = {
  48: (m) => {
    m.pop();
  },
  49: (m) => {
    m.popMark();
  },
  50: (m) => {
    m.stack.push(m.top());
  },
};

/** STOP: ends the program; the opcode the dispatch loop handles itself. */
const STOP = 0x2e;

/** The handler of every supported opcode but STOP, indexed by opcode. */
const OP_HANDLERS: readonly (OpHandler | undefined)[] = (() => {
  const table: (OpHandler | undefined)[] = new Array(256).fill(undefined);
  for (const family of [
    FRAMING_OPS,
    SCALAR_OPS,
    STRING_OPS,
    CONTAINER_OPS,
    MEMO_OPS,
    HOOK_OPS,
    STACK_OPS,
  ]) {
    for (const [op, handler] of Object.entries(family)) table[Number(op)] = handler;
  }
  return table;
})();

/** The error for an opcode without a handler: a known one this unpickler refuses, or garbage. */
function unsupportedOpcode(m: Machine, op: number): Error {
  const name = KNOWN_UNSUPPORTED[op];
  if (name === undefined) return m.fail(`unknown opcode 0x${op.toString(16).padStart(2, '0')}`);
  return new UnsupportedError(
    `${m.fn}: the pickle uses opcode ${name}, which torch.save does not emit for tensors, dicts, lists and numbers`,
    { fn: m.fn },
  );
}

/** Runs the pickle program in `bytes` and returns the value STOP leaves on the stack. */
export function unpickle(bytes: Uint8Array, hooks: UnpickleHooks, fn: string): unknown {
  const m = new Machine(bytes, hooks, fn);
  for (;;) {
    const op = bytes[m.need(1)]!;
    if (op === STOP) {
      if (m.stack.length !== 1 || m.marks.length > 0) throw m.fail('STOP with an unbalanced stack');
      return m.stack[0];
    }
    const handler = OP_HANDLERS[op];
    if (handler === undefined) throw unsupportedOpcode(m, op);
    handler(m);
  }
}

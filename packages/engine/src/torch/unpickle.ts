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

function isKey(value: unknown): boolean {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'bigint' ||
    typeof value === 'boolean'
  );
}

/** Runs the pickle program in `bytes` and returns the value STOP leaves on the stack. */
export function unpickle(bytes: Uint8Array, hooks: UnpickleHooks, fn: string): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  let pos = 0;

  const fail = (message: string): FormatError =>
    new FormatError(`${fn}: corrupt pickle: ${message} (at byte ${pos})`, { fn });
  const need = (n: number): number => {
    if (pos + n > bytes.length) throw fail(`truncated, ${n} more bytes expected`);
    const at = pos;
    pos += n;
    return at;
  };
  const pop = (): unknown => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1]!))
      throw fail('stack underflow');
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) throw fail('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const mark = marks.pop();
    if (mark === undefined) throw fail('MARK expected');
    return stack.splice(mark);
  };
  const text = (length: number): string => {
    const at = need(length);
    try {
      return textDecoder.decode(bytes.subarray(at, at + length));
    } catch {
      throw fail('invalid UTF-8 string');
    }
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw fail('truncated inside a GLOBAL name');
    let value: string;
    try {
      value = textDecoder.decode(bytes.subarray(pos, end));
    } catch {
      throw fail('invalid UTF-8 in a GLOBAL name');
    }
    pos = end + 1;
    return value;
  };
  const memoGet = (index: number): unknown => {
    if (!memo.has(index)) throw fail(`memo entry ${index} is missing`);
    return memo.get(index);
  };
  const setItems = (target: unknown, items: unknown[]): void => {
    if (!(target instanceof Map)) throw fail('SETITEM(S) on something other than a dict');
    if (items.length % 2 !== 0) throw fail('SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2) {
      const key = items[i];
      if (!isKey(key))
        throw new UnsupportedError(`${fn}: dict keys other than str, int, bool or None`, { fn });
      target.set(key, items[i + 1]);
    }
  };
  const append = (target: unknown, items: unknown[]): void => {
    if (!Array.isArray(target)) throw fail('APPEND(S) on something other than a list');
    // One push per item: push(...items) overflows the call stack for ~100k items.
    for (const item of items) target.push(item);
  };

  for (;;) {
    const op = bytes[need(1)]!;
    switch (op) {
      case 0x80: {
        const protocol = bytes[need(1)]!;
        if (protocol > 5)
          throw new UnsupportedError(`${fn}: pickle protocol ${protocol} is not supported`, {
            fn,
          });
        break;
      }
      case 0x95:
        need(8); // FRAME: only a read-ahead hint
        break;
      case 0x7d:
        stack.push(new Map());
        break;
      case 0x5d:
      case 0x29:
        stack.push([]);
        break;
      case 0x28:
        marks.push(stack.length);
        break;
      case 0x58:
        stack.push(text(view.getUint32(need(4), true)));
        break;
      case 0x8c:
        stack.push(text(bytes[need(1)]!));
        break;
      case 0x8d: {
        const length = view.getBigUint64(need(8), true);
        if (length > BigInt(bytes.length)) throw fail('string longer than the pickle');
        stack.push(text(Number(length)));
        break;
      }
      case 0x4a:
        stack.push(view.getInt32(need(4), true));
        break;
      case 0x4b:
        stack.push(bytes[need(1)]!);
        break;
      case 0x4d:
        stack.push(view.getUint16(need(2), true));
        break;
      case 0x8a: {
        const length = bytes[need(1)]!;
        const at = need(length);
        stack.push(decodeLong(bytes.subarray(at, at + length)));
        break;
      }
      case 0x8b: {
        const length = view.getUint32(need(4), true);
        const at = need(length);
        stack.push(decodeLong(bytes.subarray(at, at + length)));
        break;
      }
      case 0x47:
        stack.push(view.getFloat64(need(8), false));
        break;
      case 0x88:
        stack.push(true);
        break;
      case 0x89:
        stack.push(false);
        break;
      case 0x4e:
        stack.push(null);
        break;
      case 0x85:
        stack.push([pop()]);
        break;
      case 0x86: {
        const b = pop();
        stack.push([pop(), b]);
        break;
      }
      case 0x87: {
        const c = pop();
        const b = pop();
        stack.push([pop(), b, c]);
        break;
      }
      case 0x74:
        stack.push(popMark());
        break;
      case 0x73: {
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: {
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x61: {
        const value = pop();
        append(top(), [value]);
        break;
      }
      case 0x65: {
        const items = popMark();
        append(top(), items);
        break;
      }
      case 0x71:
        memo.set(bytes[need(1)]!, top());
        break;
      case 0x72:
        memo.set(view.getUint32(need(4), true), top());
        break;
      case 0x94:
        memo.set(memo.size, top());
        break;
      case 0x68:
        stack.push(memoGet(bytes[need(1)]!));
        break;
      case 0x6a:
        stack.push(memoGet(view.getUint32(need(4), true)));
        break;
      case 0x63: {
        const module = line();
        stack.push(hooks.resolveGlobal(module, line()));
        break;
      }
      case 0x93: {
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string')
          throw fail('STACK_GLOBAL needs two strings');
        stack.push(hooks.resolveGlobal(module, name));
        break;
      }
      case 0x52: {
        const args = pop();
        if (!Array.isArray(args)) throw fail('REDUCE needs an argument tuple');
        stack.push(hooks.reduce(pop(), args));
        break;
      }
      case 0x62: {
        const state = pop();
        stack.push(hooks.build(pop(), state));
        break;
      }
      case 0x51:
        stack.push(hooks.persistentLoad(pop()));
        break;
      case 0x30:
        pop();
        break;
      case 0x31:
        popMark();
        break;
      case 0x32:
        stack.push(top());
        break;
      case 0x2e: {
        if (stack.length !== 1 || marks.length > 0) throw fail('STOP with an unbalanced stack');
        return stack[0];
      }
      default: {
        const name = KNOWN_UNSUPPORTED[op];
        if (name === undefined) throw fail(`unknown opcode 0x${op.toString(16).padStart(2, '0')}`);
        throw new UnsupportedError(
          `${fn}: the pickle uses opcode ${name}, which torch.save does not emit for tensors, dicts, lists and numbers`,
          { fn },
        );
      }
    }
  }
}

/**
 * Result checks shared by the targets: results are plain data (rule 6 of issue 17) and typed
 * arrays are as long as their shapes say.
 */

const PLAIN_PROTOTYPES = new Set<unknown>([Object.prototype, Array.prototype, Map.prototype, null]);

/**
 * The first value in `root` (walked breadth-first, at most 100,000 values) that is not plain
 * data: objects must have `Object.prototype` or no prototype, or be arrays, Maps or typed
 * arrays; functions never appear.
 */
export function plainDataProblem(root: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: [unknown, string][] = [[root, 'result']];
  for (let i = 0; i < queue.length && i < 100_000; i++) {
    const [value, path] = queue[i]!;
    if (typeof value === 'function') return `${path} is a function`;
    if (value === null || typeof value !== 'object' || seen.has(value)) continue;
    seen.add(value);
    if (ArrayBuffer.isView(value)) continue;
    const proto = Object.getPrototypeOf(value);
    if (!PLAIN_PROTOTYPES.has(proto))
      return `${path} has prototype ${String(proto?.constructor?.name)}`;
    if (value instanceof Map) {
      for (const [k, v] of value) queue.push([v, `${path}.get(${String(k).slice(0, 40)})`]);
    } else {
      for (const key of Object.keys(value))
        queue.push([(value as Record<string, unknown>)[key], `${path}.${key}`]);
    }
  }
  return undefined;
}

export function typedArrayLengthProblem(
  name: string,
  data: unknown,
  length: number,
): string | undefined {
  if (!ArrayBuffer.isView(data) || data instanceof DataView) return `${name} is not a typed array`;
  const actual = (data as unknown as ArrayLike<number>).length;
  return actual === length
    ? undefined
    : `${name}.length ${actual} differs from the shape's ${length}`;
}

/** Own property names of the built-in prototypes, to detect prototype pollution after a case. */
export function prototypeFingerprint(): string {
  return [Object.prototype, Array.prototype, Map.prototype, Function.prototype]
    .map((p) => Object.getOwnPropertyNames(p).sort().join(','))
    .join('|');
}

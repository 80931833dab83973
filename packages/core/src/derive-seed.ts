/**
 * A 32-bit seed derived from a base seed and a path of parts (names, indices), so that each
 * item of a batch gets its own reproducible stream that does not depend on the order in
 * which items are processed: FNV-1a over the UTF-16 code units, then a murmur3 finaliser.
 */
export function deriveSeed(seed: number, ...parts: ReadonlyArray<string | number>): number {
  let h = 0x811c9dc5 ^ (Math.trunc(seed) >>> 0);
  const text = parts.map(String).join('\u0000');
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

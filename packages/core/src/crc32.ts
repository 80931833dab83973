/**
 * CRC-32 (the IEEE polynomial of zip, gzip and PNG), table-driven eight bytes at a time
 * ("slicing by 8", one flat table of 8 × 256 entries), so checking the entries of a
 * multi-megabyte archive costs little next to reading them (about 1 GB/s).
 */

const TABLE: Int32Array = (() => {
  const table = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = table[n]!;
    for (let t = 1; t < 8; t++) {
      c = table[c & 0xff]! ^ (c >>> 8);
      table[t * 256 + n] = c;
    }
  }
  return table;
})();

/** The CRC-32 of `bytes`, unsigned (`crc32(strToU8('123456789'))` is 0xcbf43926). */
export function crc32(bytes: Uint8Array): number {
  const t = TABLE;
  const b = bytes;
  const n = b.length;
  const end8 = n - (n & 7);
  let crc = -1;
  let i = 0;
  for (; i < end8; i += 8) {
    const a = crc ^ (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24));
    crc =
      t[1792 + (a & 0xff)]! ^
      t[1536 + ((a >>> 8) & 0xff)]! ^
      t[1280 + ((a >>> 16) & 0xff)]! ^
      t[1024 + (a >>> 24)]! ^
      t[768 + b[i + 4]!]! ^
      t[512 + b[i + 5]!]! ^
      t[256 + b[i + 6]!]! ^
      t[b[i + 7]!]!;
  }
  for (; i < n; i++) crc = t[(crc ^ b[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

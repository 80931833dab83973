import { encodeNpz } from '@cellshape/core';
import { ZIP_MUTATORS } from '../formats/zip.js';
import type { FuzzTarget } from './target.js';

/**
 * Targets that misbehave on purpose, to test the harness itself (the watchdog, the memory
 * budget, the CRC oracle); never part of a fuzz run unless named.
 */
const retained: Uint8Array[] = [];

export const SELF_TEST_TARGETS: readonly FuzzTarget[] = [
  {
    name: 'self-test-hang',
    fns: [],
    seeds: async () => [new Uint8Array(4)],
    mutators: [],
    run: async () => {
      for (;;);
    },
    check: () => undefined,
  },
  {
    name: 'self-test-wait',
    fns: [],
    seeds: async () => [new Uint8Array(4)],
    mutators: [],
    run: () => new Promise<never>(() => {}), // waits forever without using the CPU
    check: () => undefined,
  },
  {
    name: 'self-test-busy',
    fns: [],
    seeds: async () => [new Uint8Array(4)],
    mutators: [],
    run: async () => {
      // 100 ms of this process's CPU time per case, however busy the machine is.
      const start = process.cpuUsage();
      for (;;) {
        const used = process.cpuUsage(start);
        if (used.user + used.system >= 100_000) return 0;
      }
    },
    check: () => undefined,
  },
  {
    name: 'self-test-allocate',
    fns: [],
    seeds: async () => [new Uint8Array(4)],
    mutators: [],
    run: async () => new Float64Array(2 ** 27).fill(1).length, // 1 GiB, touched
    check: () => undefined,
  },
  {
    // One byte per case: a hang at 252 and above, a dead child below 8 (3 cases in 64 fail),
    // to test that a killed batch blames exactly the failing cases.
    name: 'self-test-some-fail',
    fns: [],
    seeds: async () => [new Uint8Array(1)],
    mutators: [{ name: 'byte', mutate: (_bytes, rng) => Uint8Array.of(rng.int(256)) }],
    ownMutatorsOnly: true,
    run: async (bytes) => {
      if (bytes[0]! < 8) process.exit(1);
      if (bytes[0]! >= 252) for (;;);
      return bytes[0];
    },
    check: () => undefined,
  },
  {
    // Keeps 8 MB per case (as garbage the allocator does not give back would) and works 40 ms:
    // the child must be replaced between batches before the watchdog's limit, not blamed.
    name: 'self-test-retain',
    fns: [],
    seeds: async () => [new Uint8Array(4)],
    mutators: [],
    run: async () => {
      retained.push(new Uint8Array(8 * 2 ** 20).fill(1));
      const start = process.cpuUsage();
      for (;;) {
        const used = process.cpuUsage(start);
        if (used.user + used.system >= 40_000) return retained.length;
      }
    },
    check: () => undefined,
  },
  {
    name: 'self-test-accept-zip',
    fns: [],
    seeds: async () => [encodeNpz({ a: { data: Float32Array.from([1, 2, 3]), shape: [3] } })],
    mutators: ZIP_MUTATORS.filter((m) => m.mustReject),
    ownMutatorsOnly: true,
    run: async (bytes) => bytes.length,
    check: () => undefined,
  },
];

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Mutator } from '../mutate.js';

/**
 * The registry of fuzz targets: every public reader of outside bytes, with its seeds (small
 * valid files made by our own writers, or committed fixtures), its format-aware mutators and
 * the result checks of its promises. A target's `run` is what a user calls on a file.
 */
export interface FuzzTarget {
  readonly name: string;
  /** The functions whose names may prefix an error message (the public entry point first). */
  readonly fns: readonly string[];
  /** Deterministic seeds (each a valid input). */
  seeds(): Promise<Uint8Array[]>;
  /** Format-aware mutators (the generic ones are added unless `ownMutatorsOnly`). */
  readonly mutators: readonly Mutator[];
  readonly ownMutatorsOnly?: boolean;
  /** Reads the bytes as a user would. */
  run(bytes: Uint8Array): Promise<unknown>;
  /** A broken promise of the result (non-finite floats, inconsistent shapes), or undefined. */
  check(result: unknown): string | undefined;
  /** Frees what the result holds (tensors). */
  dispose?(result: unknown): void;
}

/** The bytes of a committed fixture, by URL. */
export const fixture = (url: string): Uint8Array =>
  new Uint8Array(readFileSync(fileURLToPath(url)));

import { mixSeed, Rng } from '@cellshape/core';
import { corpusSeeds } from './corpus.js';
import { GENERIC_MUTATORS, mutateWith, splice } from './mutate.js';
import type { FuzzTarget } from './targets/index.js';

/** One fuzz case: a mutant of one of the target's seeds, and how it was made. */
export interface Case {
  target: FuzzTarget;
  targetIndex: number;
  caseIndex: number;
  bytes: Uint8Array;
  mutators: string[];
  /** The mutant must be refused (a changed byte of a stored zip member). */
  mustReject: boolean;
}

/** A target's seeds: its own (made by our writers) and the foreign corpus's files for it. */
export async function seedsOf(target: FuzzTarget): Promise<Uint8Array[]> {
  return [...(await target.seeds()), ...corpusSeeds(target.name)];
}

/**
 * Case `caseIndex` of a target: reproducible from the run seed alone, so the child makes its
 * own cases and the parent remakes only the failing ones (to save them).
 */
export function makeCase(
  target: FuzzTarget,
  targetIndex: number,
  seeds: readonly Uint8Array[],
  seed: number,
  caseIndex: number,
): Case {
  const rng = new Rng(mixSeed(seed, targetIndex, caseIndex));
  const source = seeds[rng.int(seeds.length)]!;
  // Format-aware mutators twice as likely as the generic ones.
  const mutators = target.ownMutatorsOnly
    ? target.mutators
    : [...target.mutators, ...target.mutators, ...GENERIC_MUTATORS];
  const mutant = mutateWith(source, rng, mutators);
  // One case in eight also takes a run of another seed (crossover): headers of one file with
  // the body of another, a TIFF's IFD inside a zip, one format's text inside another's.
  if (!mutant.mustReject && seeds.length > 1 && rng.int(8) === 0) {
    const other = seeds[rng.int(seeds.length)]!;
    mutant.bytes = crossover(mutant.bytes, other, rng);
    mutant.names.push('crossover');
  }
  const { bytes, names, mustReject } = mutant;
  return { target, targetIndex, caseIndex, bytes, mutators: names, mustReject };
}

/** Replaces a run of `bytes` (possibly empty) with a run of up to 256 bytes of `other`. */
function crossover(bytes: Uint8Array, other: Uint8Array, rng: Rng): Uint8Array {
  const from = rng.int(other.length + 1);
  const run = other.subarray(from, from + 1 + rng.int(256));
  const at = rng.int(bytes.length + 1);
  return splice(bytes, at, Math.min(bytes.length - at, rng.int(run.length + 1)), run);
}

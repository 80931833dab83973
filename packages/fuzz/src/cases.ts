import { mixSeed, Rng } from '@cellshape/core';
import { corpusSeeds } from './corpus.js';
import { GENERIC_MUTATORS, mutateWith } from './mutate.js';
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
  const { bytes, names, mustReject } = mutateWith(source, rng, mutators);
  return { target, targetIndex, caseIndex, bytes, mutators: names, mustReject };
}

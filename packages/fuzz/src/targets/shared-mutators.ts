import type { Rng } from '@cellshape/core';
import { mutatePickle } from '../formats/pickle.js';
import {
  CSV_WORDS,
  JSON_WORDS,
  MESH_WORDS,
  NPY_WORDS,
  npyHeader,
  PLY_WORDS,
  plyHeader,
  textMutators,
} from '../formats/text.js';
import { memberMutator, ZIP_MUTATORS } from '../formats/zip.js';
import { GENERIC_MUTATORS, type Mutator } from '../mutate.js';

/** Mutators several target families share: text headers, zip members, pickles. */

const isPickle = (names: string[]): string[] => names.filter((n) => n.endsWith('.pkl'));
const isNpy = (names: string[]): string[] => names.filter((n) => n.endsWith('.npy'));
const isStorage = (names: string[]): string[] => names.filter((n) => /\/data\/[^/]+$/.test(n));
const genericOn = (m: Uint8Array, rng: Rng): Uint8Array =>
  GENERIC_MUTATORS[rng.int(GENERIC_MUTATORS.length)]!.mutate(m, rng);
export const npyText = textMutators('npy-header', NPY_WORDS, npyHeader);
export const npyMember = memberMutator('npz-member-npy', isNpy, (m, rng) =>
  rng.next() < 0.6 ? npyText[rng.int(npyText.length)]!.mutate(m, rng) : genericOn(m, rng),
);
export const jsonText = textMutators('json', JSON_WORDS);
export const torchMutators: Mutator[] = [
  ...ZIP_MUTATORS,
  memberMutator('pt-member-pickle', isPickle, (m, rng) => mutatePickle(m, rng)),
  memberMutator('pt-member-pickle', isPickle, (m, rng) => mutatePickle(m, rng)),
  memberMutator('pt-member-storage', isStorage, genericOn),
];

export const plyText = textMutators('ply-header', PLY_WORDS, plyHeader);
export const meshText = textMutators('mesh-text', MESH_WORDS);
export const csvText = textMutators('csv', CSV_WORDS);

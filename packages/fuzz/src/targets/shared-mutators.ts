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
import { deflatedMemberBomb, memberMutator, repeated, ZIP_MUTATORS } from '../formats/zip.js';
import { GENERIC_MUTATORS, type Mutator, pick } from '../mutate.js';

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
/** 1–1.75 MB of one opcode that builds an object or a stack slot each (after PROTO and a None). */
const pickleBomb = (rng: Rng): Uint8Array =>
  repeated(
    [0x80, 0x02, 0x4e],
    [pick(rng, [0x7d, 0x5d, 0x29, 0x32, 0x94, 0x28, 0x85])],
    2 ** 18 * (4 + rng.int(4)), // a few sizes: each bomb is made once per process
    [0x2e],
  );
export const torchMutators: Mutator[] = [
  ...ZIP_MUTATORS,
  memberMutator('pt-member-pickle', isPickle, (m, rng) => mutatePickle(m, rng)),
  memberMutator('pt-member-pickle', isPickle, (m, rng) => mutatePickle(m, rng)),
  memberMutator('pt-member-storage', isStorage, genericOn),
  deflatedMemberBomb('pt-pickle-bomb', isPickle, pickleBomb),
];
/** 1–1.75 MB of empty JSON objects or lists in a checkpoint.json. */
export const jsonBomb = deflatedMemberBomb(
  'checkpoint-json-bomb',
  (n) => n.filter((x) => x.endsWith('.json')),
  (rng) =>
    repeated(
      '{"formatVersion":1,"config":{"a":[',
      pick(rng, ['{},', '[],', '0,', '{"$npy":"x.npy"},']),
      2 ** 18 * (4 + rng.int(4)),
      '{}]},"epoch":0,"step":0,"loss":1,"bestLoss":1,"seed":0,"stateDictKeys":[]}',
    ),
);

export const plyText = textMutators('ply-header', PLY_WORDS, plyHeader);
export const meshText = textMutators('mesh-text', MESH_WORDS);
export const csvText = textMutators('csv', CSV_WORDS);

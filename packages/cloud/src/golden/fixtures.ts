import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CloudAutoEncoder } from '../model/index.js';
import { FIXTURE_DIR, type NpzArrays, readNpz } from '../test-utils/index.js';

/** A committed fixture's configuration (src/golden/fixtures/manifest.json). */
export interface FixtureConfig {
  decoderType: 'foldingnet' | 'foldingnetbasic';
  numFeatures: number;
  k: number;
  shape: 'plane' | 'sphere';
  numSourcePoints: number;
  /** Per EdgeConv layer, query points whose neighbour set is fragile (near-ties). */
  fragile: { eval: number[]; train: number[] };
}

/** The fixtures' manifest. */
export function fixtureManifest(): Record<string, FixtureConfig> {
  return JSON.parse(readFileSync(resolve(FIXTURE_DIR, 'manifest.json'), 'utf8')) as Record<
    string,
    FixtureConfig
  >;
}

/** Builds fixture `name`'s model (untrained) and reads its arrays. */
export function fixtureModel(name: string): {
  model: CloudAutoEncoder;
  arrays: NpzArrays;
  config: FixtureConfig;
} {
  const config = fixtureManifest()[name];
  if (!config) throw new Error(`unknown fixture ${name}`);
  const arrays = readNpz(resolve(FIXTURE_DIR, `${name}.npz`));
  const source = arrays.source;
  const model = new CloudAutoEncoder({
    decoderType: config.decoderType,
    numFeatures: config.numFeatures,
    k: config.k,
    shape: config.shape,
    numSourcePoints: config.numSourcePoints,
    ...(source ? { sourcePoints: Array.from(source.data as Float32Array) } : {}),
  });
  return { model, arrays, config };
}

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const PACKAGES = [
  'cellshape',
  '@cellshape/core',
  '@cellshape/helper',
  '@cellshape/engine',
  '@cellshape/cloud',
  '@cellshape/cluster',
  '@tensorflow/tfjs-core',
] as const;

/** The installed version of a package, or undefined when it cannot be found. */
export function packageVersion(name: string): string | undefined {
  try {
    const path = createRequire(import.meta.url).resolve(`${name}/package.json`);
    const version = (JSON.parse(readFileSync(path, 'utf8')) as { version?: unknown }).version;
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}

/** Versions of cellshape's packages, tfjs and Node, for `config.json`. */
export function versions(): Record<string, string> {
  const out: Record<string, string> = { node: process.versions.node };
  for (const name of PACKAGES) out[name] = packageVersion(name) ?? 'unknown';
  return out;
}

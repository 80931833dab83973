import { checkpointTargets } from './checkpoint-targets.js';
import { geometryTargets } from './geometry-targets.js';
import { imageTargets } from './image-targets.js';
import { SELF_TEST_TARGETS } from './self-test-targets.js';
import type { FuzzTarget } from './target.js';
import { volumeTargets } from './volume-targets.js';

export { SELF_TEST_TARGETS } from './self-test-targets.js';
export type { FuzzTarget } from './target.js';

/** Every fuzz target: one builder per family of readers (add a family's file for a new format). */
export const TARGETS: readonly FuzzTarget[] = [
  ...volumeTargets(),
  ...geometryTargets(),
  ...checkpointTargets(),
  ...imageTargets(),
];

export function targetNamed(name: string): FuzzTarget {
  const target = [...TARGETS, ...SELF_TEST_TARGETS].find((t) => t.name === name);
  if (!target)
    throw new Error(
      `no fuzz target ${JSON.stringify(name)} (known: ${TARGETS.map((t) => t.name).join(', ')})`,
    );
  return target;
}

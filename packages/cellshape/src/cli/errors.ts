import { isCellshapeError } from '@cellshape/core';
import { CommanderError } from 'commander';

/** Exit codes of the `cellshape` command. */
export const EXIT_CODES = Object.freeze({
  /** Success. */
  ok: 0,
  /** A runtime failure: unreadable or corrupt files, a checkpoint of another model, some inputs that failed to convert. */
  failure: 1,
  /** A usage error: unknown command or flag, a flag value of the wrong type, a missing input folder. */
  usage: 2,
});

/**
 * A mistake in how the command was called (exit code 2), found after parsing: a missing input
 * folder, an option combination that cannot work, a model that this version does not have.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The exit code for an error thrown while running a command. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError) return EXIT_CODES.usage;
  if (error instanceof CommanderError)
    return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
  return EXIT_CODES.failure;
}

/** One line describing an error: the message without commander's `error: ` prefix, newlines folded. */
export function errorLine(error: unknown): string {
  const text = isCellshapeError(error) || error instanceof Error ? error.message : String(error);
  return text
    .replace(/^error:\s*/i, '')
    .replace(/\s*\n+\s*/g, ' ')
    .trim();
}

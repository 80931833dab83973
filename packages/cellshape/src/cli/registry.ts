import type { Command } from 'commander';
import type { CommandContext } from './context.js';

/**
 * One subcommand of `cellshape`: a name and a function that adds it (arguments, flags, help
 * with examples, action) to the program. Each lives in its own file under `commands/`; the
 * 2-D `profile` commands register the same way.
 */
export interface CliCommand {
  /** The subcommand's name, e.g. `'train'`. */
  readonly name: string;
  /** Adds the subcommand to `program`. */
  register(program: Command, context: CommandContext): void;
}

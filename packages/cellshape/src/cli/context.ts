import type { Command } from 'commander';
import type { CliIo } from './io.js';
import { ProgressDisplay, progressMode } from './progress.js';

/** The global flags, valid for every command. */
export interface GlobalFlags {
  /** Print one JSON document with the result on stdout and nothing else there. */
  json: boolean;
  /** Base seed of every random choice. */
  seed: number;
  /** Print stack traces with errors. */
  verbose: boolean;
  /** No progress and no notes on stderr. */
  quiet: boolean;
}

/** What a command's work returns: the JSON result, the human-readable lines and the exit code. */
export interface CommandOutcome {
  /** The machine-readable result (printed with `--json`). */
  json: Record<string, unknown>;
  /** The human-readable result (printed without `--json`). */
  text: string;
  /** Exit code; default 0. */
  exitCode?: number;
}

/** What a command's work receives. */
export interface CommandRun {
  /** The global flags. */
  globals: GlobalFlags;
  /** Progress display on stderr (bar, lines or nothing, from the flags and the terminal). */
  progress: ProgressDisplay;
}

/** Shared by the commands of one {@link run}: the streams and the exit code. */
export class CommandContext {
  /** The streams. */
  readonly io: CliIo;
  /** The exit code set by the command that ran (undefined: none ran). */
  exitCode: number | undefined;

  constructor(io: CliIo) {
    this.io = io;
  }

  /**
   * Runs a command's work with the global flags and a progress display, then prints its result
   * (JSON on stdout with `--json`, else text) and records the exit code.
   */
  async execute(
    command: Command,
    work: (run: CommandRun) => Promise<CommandOutcome>,
  ): Promise<void> {
    const globals = command.optsWithGlobals<GlobalFlags>();
    const flags: GlobalFlags = {
      json: globals.json === true,
      seed: globals.seed ?? 0,
      verbose: globals.verbose === true,
      quiet: globals.quiet === true,
    };
    const progress = new ProgressDisplay(this.io.stderr, progressMode(this.io.stderr, flags));
    let outcome: CommandOutcome;
    try {
      outcome = await work({ globals: flags, progress });
    } finally {
      progress.finish();
    }
    const exitCode = outcome.exitCode ?? 0;
    if (flags.json)
      this.io.stdout.write(
        `${JSON.stringify({ ok: exitCode === 0, command: command.name(), ...outcome.json })}\n`,
      );
    else if (outcome.text !== '') this.io.stdout.write(`${outcome.text.replace(/\n?$/, '\n')}`);
    this.exitCode = exitCode;
  }
}

/** The `Examples:` block appended to a command's help. */
export function examples(lines: readonly [command: string, explanation: string][]): string {
  return `\nExamples:\n${lines.map(([cmd, why]) => `  # ${why}\n  $ ${cmd}`).join('\n')}\n`;
}

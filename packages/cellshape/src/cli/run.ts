import { isCellshapeError } from '@cellshape/core';
import { Command, CommanderError } from 'commander';
import { packageVersion } from '../run/versions.js';
import { COMMANDS } from './commands/index.js';
import { CommandContext, examples } from './context.js';
import { EXIT_CODES, errorLine, exitCodeOf, UsageError } from './errors.js';
import type { CliIo } from './io.js';
import { integer } from './parse.js';

/**
 * Library functions whose argument errors come straight from the command line's flags: the run
 * functions, and each model family's `resolveSettings` (its flags' values).
 */
const TOP_LEVEL = new Set(['trainRun', 'extractRun', 'runDemo', 'modelPlugin']);

function fromFlags(fn: string | undefined, arg: string | undefined): boolean {
  if (fn === undefined) return false;
  // A dataset's input folder without a single usable file: the folder given is the wrong one.
  if (fn.endsWith('.fromFolder') && arg === 'dir') return true;
  return TOP_LEVEL.has(fn) || fn.endsWith('.resolveSettings');
}

/** The exit code of an error, counting argument errors of the top-level run functions as usage errors. */
function codeOf(error: unknown): number {
  if (
    (isCellshapeError(error, 'INVALID_ARGUMENT') || isCellshapeError(error, 'UNSUPPORTED')) &&
    fromFlags(error.fn, error.arg)
  )
    return EXIT_CODES.usage;
  return exitCodeOf(error);
}

/** Builds the `cellshape` program: global flags, the registered subcommands, output to `io`. */
function buildProgram(context: CommandContext): Command {
  const program = new Command('cellshape');
  program
    .description(
      '3-D single-cell shape analysis: masks → point clouds → autoencoder features → shape clusters → report',
    )
    .version(packageVersion('cellshape') ?? '0.0.0', '-V, --version', 'print the version')
    .option('--json', 'print one JSON result on stdout and nothing else there')
    .option('--seed <n>', 'base seed of every random choice', integer(0), 0)
    .option('--verbose', 'print stack traces with errors')
    .option('--quiet', 'no progress or notes on stderr')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.io.stdout.write(text),
      writeErr: (text) => context.io.stderr.write(text),
      // Errors are reported once, as one line, by `run`.
      outputError: () => {},
    })
    .addHelpText(
      'after',
      `${examples([
        ['cellshape demo', 'the whole pipeline on synthetic cells, report in ./cellshape-demo'],
        ['cellshape convert masks/ out/', 'masks → meshes + point clouds'],
        ['cellshape train out/points --out runs/exp1 --metadata cells.csv', 'pretraining + IDEC'],
        ['cellshape report runs/exp1', 'the HTML report'],
        ['cellshape <command> --help', 'flags and examples of a command'],
      ])}\nExit codes: 0 success, 1 runtime failure, 2 usage error.\n`,
    );
  for (const command of COMMANDS) command.register(program, context);
  return program;
}

/** The subcommand named in `argv`, for the hint after a usage error. */
function commandIn(argv: readonly string[]): string | undefined {
  return argv.find((a) => COMMANDS.some((c) => c.name === a));
}

/** What to do after an interrupted command, by command: work already written is kept. */
const AFTER_INTERRUPT: Record<string, string> = {
  train: 'run the same command with --resume to continue from the last finished epoch',
  convert: 'run the same command again: finished files are skipped',
  demo: 'run the same command again',
};

/**
 * The line `cellshape` prints when Ctrl-C (SIGINT) or SIGTERM stops it: which command stopped and
 * how to continue (checkpoints and outputs are written atomically, so what finished is intact).
 */
export function interruptedLine(argv: readonly string[], signal: NodeJS.Signals): string {
  const where = commandIn(argv);
  const next = (where && AFTER_INTERRUPT[where]) ?? 'run it again';
  return `cellshape${where ? ` ${where}` : ''}: interrupted (${signal}); ${next}`;
}

/**
 * Runs the `cellshape` command line with the arguments `argv` (without `node` and the script),
 * writing results to `io.stdout` and progress, notes and errors to `io.stderr`.
 *
 * @returns the exit code: 0 success, 1 runtime failure, 2 usage error.
 *
 * ```ts
 * const io = captureIo();
 * const code = await run(['convert', 'masks/', 'out/', '--json'], io);
 * JSON.parse(io.out()).converted;
 * ```
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const context = new CommandContext(io);
  const program = buildProgram(context);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return context.exitCode ?? EXIT_CODES.ok;
  } catch (error) {
    if (error instanceof CommanderError && error.exitCode === 0) return EXIT_CODES.ok; // --help, --version
    const code = codeOf(error);
    const verbose = argv.includes('--verbose');
    const json = argv.includes('--json');
    const where = commandIn(argv);
    let line = `cellshape${where ? ` ${where}` : ''}: error: ${errorLine(error)}`;
    if (error instanceof CommanderError && error.code === 'commander.help')
      line = `cellshape: error: a command is required`;
    if (code === EXIT_CODES.usage) line += ` (see 'cellshape${where ? ` ${where}` : ''} --help')`;
    io.stderr.write(`${line}\n`);
    if (verbose && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    if (json) {
      const kind = isCellshapeError(error)
        ? error.code
        : error instanceof UsageError || error instanceof CommanderError
          ? 'USAGE'
          : 'ERROR';
      io.stdout.write(
        `${JSON.stringify({ ok: false, exitCode: code, error: { code: kind, message: errorLine(error) } })}\n`,
      );
    }
    return code;
  }
}

#!/usr/bin/env node
/**
 * The `cellshape` executable: runs {@link run} on the process's arguments and streams.
 * From the sources (no build): `node --conditions=@cellshape/source --import tsx packages/cellshape/src/cli/main.ts`.
 */
import { interruptedLine, run } from './run.js';

// `cellshape … | head` closes stdout early: stop quietly, as Unix tools do.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

// Ctrl-C mid-run: say how to continue instead of dying silently (exit 128 + signal number).
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)
  process.once(signal, () => {
    process.stderr.write(`\n${interruptedLine(process.argv.slice(2), signal)}\n`);
    process.exit(code);
  });

run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then((code) => {
  process.exitCode = code;
});

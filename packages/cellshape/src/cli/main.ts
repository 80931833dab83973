#!/usr/bin/env node
/**
 * The `cellshape` executable: runs {@link run} on the process's arguments and streams.
 * From the sources (no build): `node --conditions=@cellshape/source --import tsx packages/cellshape/src/cli/main.ts`.
 */
import { run } from './run.js';

// `cellshape … | head` closes stdout early: stop quietly, as Unix tools do.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then((code) => {
  process.exitCode = code;
});

import type { CliCommand } from '../registry.js';
import { analyseCommand } from './analyse.js';
import { convertCommand } from './convert.js';
import { demoCommand } from './demo.js';
import { extractCommand } from './extract.js';
import { profileCommand } from './profile.js';
import { reportCommand } from './report.js';
import { trainCommand } from './train.js';
import { workerCommand } from './worker.js';

/** The subcommands of `cellshape`, in help order. */
export const COMMANDS: readonly CliCommand[] = [
  convertCommand,
  trainCommand,
  extractCommand,
  reportCommand,
  analyseCommand,
  profileCommand,
  demoCommand,
  workerCommand,
];

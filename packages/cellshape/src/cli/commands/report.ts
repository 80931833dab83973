import type { Command } from 'commander';
import { writeReport } from '../../report/index.js';
import { examples } from '../context.js';
import { requireRunDir } from '../inputs.js';
import { integer } from '../parse.js';
import type { CliCommand } from '../registry.js';

interface ReportFlags {
  groupBy?: string;
  references?: string;
  title?: string;
  maxUmapCells?: number;
}

/** `cellshape report <run-dir>`: the self-contained HTML report of a run. */
export const reportCommand: CliCommand = {
  name: 'report',
  register(program, context) {
    program
      .command('report')
      .description(
        'write <run-dir>/report.html: loss curves, UMAP, clusters, exemplars, treatment signatures (opens offline)',
      )
      .argument('<run-dir>', 'run directory written by `cellshape train`')
      .option(
        '--group-by <column>',
        'metadata column whose groups get shape signatures (default: Treatment, when present)',
      )
      .option(
        '--references <names>',
        'comma-separated groups every group is compared with (KL divergence)',
      )
      .option('--title <text>', 'page title')
      .option(
        '--max-umap-cells <n>',
        'most cells in the UMAP plot (a seeded sample beyond)',
        integer(1),
      )
      .addHelpText(
        'after',
        examples([
          ['cellshape report runs/exp1', 'write runs/exp1/report.html'],
          [
            'cellshape report runs/exp1 --group-by Treatment --references DMSO,Nocodazole',
            'signatures against reference drugs',
          ],
        ]),
      )
      .action(async (runDir: string, flags: ReportFlags, command: Command) => {
        await context.execute(command, async ({ globals }) => {
          const dir = requireRunDir(runDir);
          const path = await writeReport(dir, {
            seed: globals.seed,
            ...(flags.groupBy !== undefined ? { groupBy: flags.groupBy } : {}),
            ...(flags.references !== undefined
              ? {
                  references: flags.references
                    .split(',')
                    .map((s) => s.trim())
                    .filter((s) => s !== ''),
                }
              : {}),
            ...(flags.title !== undefined ? { title: flags.title } : {}),
            ...(flags.maxUmapCells !== undefined ? { maxUmapCells: flags.maxUmapCells } : {}),
          });
          return { json: { report: path }, text: `report: ${path}` };
        });
      });
  },
};

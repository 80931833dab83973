import { type Command, InvalidArgumentError } from 'commander';
import { checkRedisUrl, DEFAULT_REDIS_CONNECT_OPTIONS } from '../../distributed/connection.js';
import { jobKinds } from '../../distributed/job-kinds.js';
import { DEFAULT_START_WORKER_OPTIONS, startWorker } from '../../distributed/worker.js';
import { type CommandContext, examples } from '../context.js';
import { integer } from '../parse.js';
import type { CliCommand } from '../registry.js';

interface WorkerFlags {
  redis: string;
  concurrency: number;
  lockDuration: number;
  queues?: string;
  retryFor: number;
}

/** The `--redis <url>` flag's parser (also of `convert` and `extract`): a redis:// URL, else a usage error. */
export function redisUrl(text: string): string {
  try {
    return checkRedisUrl('--redis', text);
  } catch {
    throw new InvalidArgumentError('expected a redis://host[:port][/db] URL.');
  }
}

/** The signals that stop a worker: the first drains (running jobs finish), the second stops at once. */
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Resolves with the first stop signal; a second one calls `now`. */
function stopSignal(now: () => void): Promise<NodeJS.Signals> {
  return new Promise((stop) => {
    let stopping = false;
    for (const signal of SIGNALS) {
      // The executable's own handlers exit at once; a worker drains first instead.
      process.removeAllListeners(signal);
      process.on(signal, () => {
        if (stopping) now();
        stopping = true;
        stop(signal);
      });
    }
  });
}

async function runWorker(
  flags: WorkerFlags,
  command: Command,
  context: CommandContext,
): Promise<void> {
  await context.execute(command, async ({ globals }) => {
    const log = (line: string): void => {
      if (!globals.quiet) context.io.stderr.write(`${new Date().toISOString()} ${line}\n`);
    };
    let done = 0;
    let failed = 0;
    const worker = await startWorker(flags.redis, {
      concurrency: flags.concurrency,
      lockDuration: flags.lockDuration,
      retryFor: flags.retryFor * 1000,
      ...(flags.queues !== undefined
        ? { queues: flags.queues.split(',').map((q) => q.trim()) }
        : {}),
      onLog: (line) => {
        if (line.startsWith('done ')) done++;
        if (line.startsWith('failed ') || line.startsWith('refused ')) failed++;
        log(line);
      },
    });
    const stop = await Promise.race([
      stopSignal(() => {
        log(
          'second signal: stopping now; running jobs go back to the queue when their lock expires',
        );
        // Exit without waiting for Redis: the lock of a running job expires and another worker retries it.
        process.exit(130);
      }),
      worker.lost.then(() => 'lost' as const),
    ]);
    if (stop === 'lost') {
      await worker.close(true);
      throw new Error(
        `lost the connection to Redis at ${flags.redis} for longer than ${flags.retryFor} s`,
      );
    }
    log(
      `${stop}: draining, ${worker.active()} job(s) running (send ${stop} again to stop at once)`,
    );
    await worker.close();
    return {
      json: { worker: worker.name, done, failed, stoppedBy: stop },
      text: `worker ${worker.name} stopped (${stop}): ${done} job(s) done, ${failed} failed or refused`,
    };
  });
}

/**
 * `cellshape worker --redis <url>`: runs convert and extract jobs from the BullMQ queues that
 * `cellshape convert/extract --redis` fill, until SIGTERM or Ctrl-C (which drain: running jobs
 * finish first).
 */
export const workerCommand: CliCommand = {
  name: 'worker',
  register(program, context) {
    const d = DEFAULT_START_WORKER_OPTIONS;
    program
      .command('worker')
      .description('run convert and extract jobs from a Redis queue (see docs/distributed.md)')
      .requiredOption('--redis <url>', 'Redis URL, e.g. redis://queue-host:6379', redisUrl)
      .option('--concurrency <n>', 'jobs (chunks) run at the same time', integer(1), d.concurrency)
      .option(
        '--lock-duration <ms>',
        'a job whose worker died is retried elsewhere after this long',
        integer(100),
        d.lockDuration,
      )
      .option(
        '--queues <names>',
        `queues served, comma-separated: ${jobKinds()
          .map((k) => k.name)
          .join(', ')} (default: all)`,
      )
      .option(
        '--retry-for <seconds>',
        'after losing Redis (a restart), keep trying this long before exiting',
        integer(1),
        DEFAULT_REDIS_CONNECT_OPTIONS.retryFor / 1000,
      )
      .addHelpText(
        'after',
        examples([
          ['cellshape worker --redis redis://queue-host:6379', 'one worker; run one per core'],
          ['taskset -c 1 cellshape worker --redis redis://localhost:6379', 'pinned to core 1'],
        ]) +
          '\nStop with SIGTERM or Ctrl-C: running jobs finish first (a second signal stops at once).\n',
      )
      .action((flags: WorkerFlags, command: Command) => runWorker(flags, command, context));
  },
};

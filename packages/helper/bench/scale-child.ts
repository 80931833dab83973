/**
 * The measured work of the scale benches, in a process of its own so that its peak memory
 * (`process.resourceUsage().maxRSS`, worker threads included) is the work's alone: prints one
 * JSON line `{ seconds, objects, peakRssMb }`.
 *
 *   node --conditions=@cellshape/source --import tsx packages/helper/bench/scale-child.ts convert <masks> <out> [workers]
 */
import { convertDirectory } from '../src/convert/index.js';

const [command, input, output, workers] = process.argv.slice(2);
if (command !== 'convert' || !input || !output) {
  console.error('usage: scale-child.ts convert <masks> <out> [workers]');
  process.exit(2);
}
const started = performance.now();
let lastLine = 0;
const result = await convertDirectory(input, output, {
  overwrite: true,
  ...(workers !== undefined ? { workers: Number(workers) } : {}),
  onProgress: (event) => {
    // A line every 30 s on stderr, so a long run shows its ETA.
    if (performance.now() - lastLine < 30_000) return;
    lastLine = performance.now();
    process.stderr.write(`${event.done}/${event.total} ${event.message ?? ''}\n`);
  },
});
const seconds = (performance.now() - started) / 1000;
console.log(
  JSON.stringify({
    seconds,
    objects: result.objects,
    failed: result.failed,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    // CPU time of every thread: unlike the wall time, barely moved by other jobs on the machine.
    cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
  }),
);

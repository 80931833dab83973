/**
 * Worker-thread entry of `convertDirectory`: receives `{ index, task }` messages, converts the
 * file and answers `{ index, outcome }`. Built as its own tsup entry (`dist/convert-worker.js`)
 * and started from the TypeScript source through tsx when running unbuilt.
 */
import { parentPort } from 'node:worker_threads';
import { type ConvertTask, convertFile } from './convert-file.js';

const port = parentPort;
if (port) {
  port.on('message', async (message: { index: number; task: ConvertTask }) => {
    const outcome = await convertFile(message.task);
    port.postMessage({ index: message.index, outcome });
  });
}

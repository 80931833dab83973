/**
 * Worker-thread entry of `cropFolder`: receives `{ index, task }` messages, crops the image and
 * answers `{ index, outcome }`. Built as its own tsup entry (`dist/crop-worker.js`) and started
 * from the TypeScript source through tsx when running unbuilt.
 */
import { parentPort } from 'node:worker_threads';
import { type CropTask, runCropTask } from './crop-task.js';

const port = parentPort;
if (port) {
  port.on('message', async (message: { index: number; task: CropTask }) => {
    const outcome = await runCropTask(message.task);
    port.postMessage({ index: message.index, outcome });
  });
}

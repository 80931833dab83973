import type { ProgressCallback, ProgressEvent } from '@cellshape/core';
import type { CliStream } from './io.js';

/**
 * How progress is shown on stderr: `'bar'` a redrawn bar (interactive terminals), `'lines'`
 * periodic plain lines (logs, pipes, `--json`), `'off'` nothing (`--quiet`).
 */
export type ProgressMode = 'bar' | 'lines' | 'off';

/** Chooses the {@link ProgressMode} for a stream and the global flags. */
export function progressMode(
  stream: CliStream,
  flags: { json?: boolean; quiet?: boolean },
): ProgressMode {
  if (flags.quiet) return 'off';
  return stream.isTTY && !flags.json ? 'bar' : 'lines';
}

/** Options of {@link ProgressDisplay}. */
export interface ProgressDisplayOptions {
  /** Minimum milliseconds between two plain lines of the same phase. Default 5000. */
  lineInterval?: number;
  /** Minimum milliseconds between two redraws of the bar. Default 100. */
  redrawInterval?: number;
  /** Clock in milliseconds (tests pass a fake one). Default `Date.now`. */
  now?: () => number;
}

const BAR_WIDTH = 24;
/** Phases that end a unit of work worth a line of their own whatever the interval. */
const MILESTONES = new Set(['epoch', 'update']);

function fraction(event: ProgressEvent): number | undefined {
  return event.total !== undefined && event.total > 0
    ? Math.min(1, event.done / event.total)
    : undefined;
}

/**
 * A dependency-free progress display for long work (file counts, batches and epochs with the
 * loss), driven by the `ProgressCallback` events of the cellshape packages. Call
 * {@link ProgressDisplay.callback} once per stage and {@link ProgressDisplay.finish} at the end.
 */
export class ProgressDisplay {
  private readonly stream: CliStream;
  private readonly mode: ProgressMode;
  private readonly lineInterval: number;
  private readonly redrawInterval: number;
  private readonly now: () => number;
  private readonly lastLine = new Map<string, number>();
  private lastDraw = Number.NEGATIVE_INFINITY;
  private drawn = false;

  constructor(stream: CliStream, mode: ProgressMode, options: ProgressDisplayOptions = {}) {
    this.stream = stream;
    this.mode = mode;
    this.lineInterval = options.lineInterval ?? 5000;
    this.redrawInterval = options.redrawInterval ?? 100;
    this.now = options.now ?? Date.now;
  }

  /** A callback for one stage, e.g. `'pretrain'`; events are shown prefixed with the stage. */
  callback(stage: string): ProgressCallback {
    return (event) => this.show(stage, event);
  }

  /** Prints a note on its own line (clearing the bar first); nothing in `'off'` mode. */
  note(text: string): void {
    if (this.mode === 'off') return;
    this.clearBar();
    this.stream.write(`${text}\n`);
  }

  /** Ends the bar's line, if one is drawn. */
  finish(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }

  private show(stage: string, event: ProgressEvent): void {
    switch (this.mode) {
      case 'off':
        return;
      case 'bar':
        this.drawBar(stage, event);
        return;
      case 'lines':
        this.printLine(stage, event);
        return;
      default: {
        const never: never = this.mode;
        throw new Error(`unknown progress mode ${String(never)}`);
      }
    }
  }

  /** The event after the stage name: phase (unless it repeats the stage), count and message. */
  private describe(stage: string, event: ProgressEvent): string {
    const count = event.total !== undefined ? `${event.done}/${event.total}` : `${event.done}`;
    // Messages such as the training loop's "epoch 4/20 loss 3.1" already name the phase and count.
    if (event.message?.startsWith(`${event.phase} `)) return event.message;
    const phase = event.phase === stage ? '' : `${event.phase} `;
    // Messages such as "16/24 cells" already give the count.
    if (event.message?.startsWith(count)) return `${phase}${event.message}`;
    return `${phase}${count}${event.message ? ` ${event.message}` : ''}`;
  }

  private printLine(stage: string, event: ProgressEvent): void {
    const key = `${stage}:${event.phase}`;
    const time = this.now();
    const last = this.lastLine.get(key) ?? Number.NEGATIVE_INFINITY;
    const complete = event.total !== undefined && event.done >= event.total;
    if (!MILESTONES.has(event.phase) && !complete && time - last < this.lineInterval) return;
    this.lastLine.set(key, time);
    this.stream.write(`${stage} ${this.describe(stage, event)}\n`);
  }

  private drawBar(stage: string, event: ProgressEvent): void {
    const time = this.now();
    const complete = event.total !== undefined && event.done >= event.total;
    if (!complete && time - this.lastDraw < this.redrawInterval) return;
    this.lastDraw = time;
    const share = fraction(event);
    const bar =
      share === undefined
        ? ''
        : `[${'#'.repeat(Math.round(share * BAR_WIDTH)).padEnd(BAR_WIDTH, '.')}] ${String(Math.round(share * 100)).padStart(3)}% `;
    const width = Math.max(20, (this.stream.columns ?? 80) - 1);
    const text = `${stage} ${bar}${this.describe(stage, event)}`;
    this.stream.write(`\r${text.slice(0, width)}\x1b[K`);
    this.drawn = true;
    // Epoch ends stay on screen as a log of the loss.
    if (MILESTONES.has(event.phase)) this.finish();
  }

  private clearBar(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}

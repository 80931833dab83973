import { describe, expect, it } from 'vitest';
import { captureIo } from './io.js';
import { ProgressDisplay, progressMode } from './progress.js';

function display(mode: 'bar' | 'lines' | 'off') {
  const io = captureIo({ isTTY: mode === 'bar' });
  let time = 0;
  const progress = new ProgressDisplay(io.stderr, mode, {
    now: () => time,
    lineInterval: 1000,
    redrawInterval: 100,
  });
  return { io, progress, advance: (ms: number) => (time += ms) };
}

describe('progressMode', () => {
  it('draws a bar only on a terminal without --json or --quiet', () => {
    expect(progressMode({ write() {}, isTTY: true }, {})).toBe('bar');
    expect(progressMode({ write() {}, isTTY: true }, { json: true })).toBe('lines');
    expect(progressMode({ write() {}, isTTY: false }, {})).toBe('lines');
    expect(progressMode({ write() {}, isTTY: true }, { quiet: true })).toBe('off');
  });
});

describe('ProgressDisplay', () => {
  it('lines: throttles batch events, always prints epochs and the last batch', () => {
    const { io, progress, advance } = display('lines');
    const batch = progress.callback('pretrain');
    for (let i = 1; i <= 10; i++) {
      batch({ phase: 'batch', done: i, total: 10, message: `loss ${i}` });
      advance(300);
    }
    batch({ phase: 'epoch', done: 1, total: 5, message: 'epoch 1/5 loss 3.2' });
    const lines = io.err().trim().split('\n');
    // t = 0 (first), 1200 (i = 5), 2400 (i = 9), i = 10 (complete), the epoch.
    expect(lines).toEqual([
      'pretrain batch 1/10 loss 1',
      'pretrain batch 5/10 loss 5',
      'pretrain batch 9/10 loss 9',
      'pretrain batch 10/10 loss 10',
      'pretrain epoch 1/5 loss 3.2',
    ]);
    expect(io.out()).toBe('');
  });

  it('bar: redraws one line with a percentage and keeps epoch lines', () => {
    const { io, progress, advance } = display('bar');
    const cb = progress.callback('convert');
    cb({ phase: 'convert', done: 1, total: 4, message: 'a.tif: converted' });
    advance(50);
    cb({ phase: 'convert', done: 2, total: 4 }); // too soon: not drawn
    advance(100);
    cb({ phase: 'convert', done: 4, total: 4 });
    progress.finish();
    const err = io.err();
    expect(err).toContain('\rconvert [######..................]  25% 1/4 a.tif: converted\x1b[K');
    expect(err).not.toContain(' 50%');
    expect(err).toContain('\rconvert [########################] 100% 4/4\x1b[K\n');
  });

  it('names the phase only when it differs from the stage, and the count once', () => {
    const { io, progress } = display('lines');
    progress.callback('extract')({ phase: 'extract', done: 8, total: 24, message: '8/24 cells' });
    progress.callback('choose-k')({
      phase: 'extract',
      done: 24,
      total: 24,
      message: '24/24 cells',
    });
    progress.callback('convert')({
      phase: 'convert',
      done: 2,
      total: 2,
      message: 'b.tif: converted',
    });
    expect(io.err().trim().split('\n')).toEqual([
      'extract 8/24 cells',
      'choose-k extract 24/24 cells',
      'convert 2/2 b.tif: converted',
    ]);
  });

  it('off: prints nothing, notes included', () => {
    const { io, progress } = display('off');
    progress.callback('x')({ phase: 'epoch', done: 1 });
    progress.note('hello');
    progress.finish();
    expect(io.err()).toBe('');
  });

  it('notes clear the bar first', () => {
    const { io, progress } = display('bar');
    progress.callback('idec')({ phase: 'batch', done: 1, total: 2 });
    progress.note('resuming');
    expect(io.err().endsWith('\r\x1b[Kresuming\n')).toBe(true);
  });
});

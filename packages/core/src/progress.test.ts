import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors.js';
import {
  checkProgressCallback,
  type ProgressEvent,
  progressReporter,
  reportProgress,
} from './progress.js';

describe('progressReporter', () => {
  it('reports about every 1 % and always at the end', () => {
    const events: ProgressEvent[] = [];
    const tick = progressReporter((e) => events.push(e), 'pairs', 1000);
    for (let done = 1; done <= 1000; done++) tick(done);
    expect(events).toHaveLength(100);
    expect(events[0]).toEqual({ phase: 'pairs', done: 10, total: 1000 });
    expect(events.at(-1)).toEqual({ phase: 'pairs', done: 1000, total: 1000 });
    expect(events.every((e, i) => i === 0 || e.done > events[i - 1]!.done)).toBe(true);
  });

  it('reports every unit of short loops, and nothing without a callback', () => {
    const done: number[] = [];
    const tick = progressReporter((e) => done.push(e.done), 'steps', 3);
    for (const d of [1, 2, 3]) tick(d);
    expect(done).toEqual([1, 2, 3]);
    expect(() => progressReporter(undefined, 'x', 10)(10)).not.toThrow();
  });

  it('never lets a faulty callback break the work', () => {
    const tick = progressReporter(
      () => {
        throw new Error('display broke');
      },
      'x',
      1,
    );
    expect(() => tick(1)).not.toThrow();
    expect(() =>
      reportProgress(
        () => {
          throw new Error('no');
        },
        { phase: 'x', done: 1 },
      ),
    ).not.toThrow();
  });
});

describe('checkProgressCallback', () => {
  it('accepts a function or undefined and names the argument otherwise', () => {
    const f = () => {};
    expect(checkProgressCallback('dbscan', f)).toBe(f);
    expect(checkProgressCallback('dbscan', undefined)).toBeUndefined();
    expect(() => checkProgressCallback('dbscan', 3)).toThrow(InvalidArgumentError);
    expect(() => checkProgressCallback('dbscan', 'x')).toThrow(/dbscan: 'options.onProgress'/);
  });
});

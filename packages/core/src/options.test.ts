import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors.js';
import { definedEntries, withDefaults } from './options.js';

const DEFAULTS = { lr: 1e-4, epochs: 10, name: 'dfn' } as const;

describe('withDefaults', () => {
  it('overlays the defined options on the defaults', () => {
    expect(withDefaults('f', DEFAULTS, { lr: 1e-3 })).toEqual({
      lr: 1e-3,
      epochs: 10,
      name: 'dfn',
    });
  });

  it('never lets an explicit undefined replace a default', () => {
    const o = withDefaults('f', DEFAULTS, { lr: undefined, epochs: 3 } as {
      lr?: number;
      epochs?: number;
    });
    expect(o).toEqual({ lr: 1e-4, epochs: 3, name: 'dfn' });
  });

  it('keeps extra keys and copies the defaults', () => {
    const o = withDefaults('f', DEFAULTS, { extra: true });
    expect(o).toEqual({ ...DEFAULTS, extra: true });
    expect(withDefaults('f', DEFAULTS, undefined)).not.toBe(DEFAULTS);
  });

  it('refuses options that are not an object, naming the function', () => {
    for (const bad of [null, 3, 'x', [1]])
      expect(() => withDefaults('kmeans', DEFAULTS, bad as never)).toThrow(
        /kmeans: 'options' must be an object/,
      );
    expect(() => withDefaults('f', DEFAULTS, null as never)).toThrow(InvalidArgumentError);
  });
});

describe('definedEntries', () => {
  it('drops undefined values only', () => {
    expect(definedEntries({ a: 1, b: undefined, c: null, d: 0 })).toEqual({ a: 1, c: null, d: 0 });
  });
});

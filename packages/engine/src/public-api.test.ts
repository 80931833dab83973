import { expect, it } from 'vitest';
import * as api from './index.js';
import * as testApi from './test/index.js';

// Any change to the public exports shows up here, in review.
it('exports exactly the public API', () => {
  expect(Object.keys(api).sort()).toMatchInlineSnapshot();
});

it('exports exactly the test helpers of @cellshape/engine/test', () => {
  expect(Object.keys(testApi).sort()).toMatchInlineSnapshot();
});

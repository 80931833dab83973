import { expect, it } from 'vitest';
import * as api from './index.js';

// Any change to the public exports shows up here, in review.
it('exports exactly the public API', () => {
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "CellshapeError",
      "FileSystemError",
      "FormatError",
      "IncompatibleError",
      "InvalidArgumentError",
      "NotFittedError",
      "Rng",
      "UnsupportedError",
      "createRng",
      "describe",
      "encodeNpy",
      "encodeNpz",
      "invalidArgument",
      "isTypedArray",
      "parseNpy",
      "parseNpz",
      "readZip",
      "reportProgress",
      "shapeSize",
      "writeFileAtomic",
      "writeFileAtomicSync",
    ]
  `);
});

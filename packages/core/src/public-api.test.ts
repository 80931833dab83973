import { expect, it } from 'vitest';
import * as api from './index.js';

// Any change to the public exports shows up here, in review.
it('exports exactly the public API', () => {
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "CellshapeError",
      "DEFAULT_PARSE_CSV_OPTIONS",
      "FileSystemError",
      "FormatError",
      "IncompatibleError",
      "InvalidArgumentError",
      "NotFittedError",
      "Rng",
      "UnsupportedError",
      "cellTableCsv",
      "createRng",
      "csvField",
      "csvRecords",
      "describe",
      "encodeNpy",
      "encodeNpz",
      "formatCsv",
      "formatFloat32",
      "invalidArgument",
      "isTypedArray",
      "parseCsv",
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

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
      "checkBoolean",
      "checkInteger",
      "checkNumber",
      "checkObject",
      "checkOneOf",
      "checkPositive",
      "checkString",
      "createRng",
      "csvField",
      "csvRecords",
      "definedEntries",
      "describe",
      "encodeNpy",
      "encodeNpz",
      "epochOrder",
      "formatCsv",
      "formatFloat32",
      "invalidArgument",
      "isCellshapeError",
      "isTypedArray",
      "joinMetadata",
      "listSampleFiles",
      "mixSeed",
      "oneOf",
      "parseCsv",
      "parseNpy",
      "parseNpz",
      "readZip",
      "reportProgress",
      "sampleFileIds",
      "shapeSize",
      "withDefaults",
      "writeFileAtomic",
      "writeFileAtomicSync",
    ]
  `);
});

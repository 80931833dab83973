/**
 * `@cellshape/core`: the tfjs-free base every cellshape package shares.
 *
 * ```ts
 * import { createRng, parseNpy, writeFileAtomic } from '@cellshape/core';
 * const rng = createRng(42);
 * rng.normal(); // reproducible for seed 42
 * ```
 *
 * @module @cellshape/core
 */
export {
  type AnyTypedArray,
  isTypedArray,
  type NdArray,
  shapeSize,
  type TypedArray,
} from './arrays.js';
export { writeFileAtomic, writeFileAtomicSync } from './atomic-write.js';
export {
  type CellMatrix,
  type CellTable,
  cellTableCsv,
  formatFloat32,
} from './cell-table.js';
export {
  type CsvTable,
  csvColumnKeys,
  csvField,
  csvRecords,
  DEFAULT_PARSE_CSV_OPTIONS,
  decodeCsvText,
  formatCsv,
  type ParseCsvOptions,
  parseCsv,
} from './csv.js';
export { decimalNumber } from './decimal-number.js';
export { deriveSeed } from './derive-seed.js';
export { epochOrder, mixSeed } from './epoch-order.js';
export {
  CellshapeError,
  type CellshapeErrorCode,
  type CellshapeErrorDetails,
  describe,
  FileSystemError,
  FormatError,
  IncompatibleError,
  InvalidArgumentError,
  invalidArgument,
  isCellshapeError,
  NotFittedError,
  reattributeError,
  UnsupportedError,
} from './errors.js';
export type { DatasetWarning, Metadata, MetadataValue } from './metadata.js';
export {
  type EncodeNpzOptions,
  encodeNpy,
  encodeNpz,
  type ParseNpzOptions,
  parseNpy,
  parseNpz,
  readNpzComment,
  readZip,
} from './npy.js';
export { definedEntries, type WithDefaults, withDefaults } from './options.js';
export {
  checkProgressCallback,
  type ProgressCallback,
  type ProgressEvent,
  progressReporter,
  reportProgress,
} from './progress.js';
export { createRng, Rng } from './rng.js';
export {
  type JoinedSample,
  type JoinMetadataOptions,
  joinMetadata,
  type ListSampleFilesOptions,
  listSampleFiles,
  type MetadataJoin,
  type SampleFile,
  type SampleFiles,
  sampleFileIds,
} from './sample-files.js';
export {
  checkExpansion,
  EXPANSION_FLOOR_BYTES,
  EXPANSION_PER_INPUT_BYTE,
  readSourceBytes,
  type SourceBytes,
} from './source-bytes.js';
export {
  checkBoolean,
  checkInteger,
  checkNumber,
  checkObject,
  checkOneOf,
  checkPositive,
  checkString,
  type NumberBounds,
  oneOf,
} from './validate.js';
export { DEFAULT_ZIP_LIMITS, type ZipLimits } from './zip-read.js';

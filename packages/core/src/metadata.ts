/** A metadata value: CSV cells stay strings; programmatic metadata may hold numbers. */
export type MetadataValue = string | number;

/** The metadata of one sample (cell, crop, image): column → value. */
export type Metadata = Record<string, MetadataValue>;

/** A file or metadata row a dataset left out, with the reason. */
export interface DatasetWarning {
  /** The sample id, when known. */
  id?: string;
  /** The file, when known. */
  path?: string;
  /** Why it was left out. */
  reason: string;
}

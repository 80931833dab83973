import { csvRecords, decimalNumber, FormatError, invalidArgument, parseCsv } from '@cellshape/core';
import { readCsvFile } from './parse-centroid-table.js';

/** The calibration of a Usiigaci experiment. */
export interface UsiigaciParameters {
  /** Physical size of one pixel (`pixel_scale`), in {@link UsiigaciParameters.unit}. */
  pixelSize: number;
  /** `pixel_unit`, `'µm'` for Usiigaci's `microns`. */
  unit: string;
  /** Every `Parameter,Value` pair of the file. */
  values: Record<string, string>;
}

/**
 * Reads Usiigaci's `experiment_parameters.csv` (`Parameter,Value` rows with `pixel_scale` and
 * `pixel_unit`): the pixel size that turns a tracks table's µm `x`/`y` into pixels.
 *
 * @throws FileSystemError when the file cannot be read; FormatError when it lacks a positive
 *   `pixel_scale`.
 */
export function readUsiigaciParameters(path: string): UsiigaciParameters {
  const fn = 'readUsiigaciParameters';
  if (typeof path !== 'string' || path.length === 0)
    throw invalidArgument(fn, 'path', 'a non-empty path', path);
  const { text, where } = readCsvFile(fn, path);
  const values: Record<string, string> = {};
  for (const record of csvRecords(parseCsv(text, { source: where, caller: fn })))
    if (Object.hasOwn(record, 'Parameter'))
      // defineProperty: a parameter named `__proto__` stays an own key (assigned, it would vanish).
      Object.defineProperty(values, record.Parameter!, {
        value: record.Value ?? '',
        enumerable: true,
        writable: true,
        configurable: true,
      });
  const pixelSize = decimalNumber(values.pixel_scale);
  if (!(Number.isFinite(pixelSize) && pixelSize > 0))
    throw new FormatError(`${fn}: ${where} has no positive pixel_scale parameter`, {
      fn,
      arg: path,
    });
  const unit = values.pixel_unit ?? 'µm';
  return { pixelSize, unit: /^microns?$/i.test(unit) ? 'µm' : unit, values };
}

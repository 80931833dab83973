/**
 * Micrometres per length unit, as OME-XML spells them (`PhysicalSizeXUnit` …; the schema's
 * default is µm). Microns are also spelled with the Greek mu, `um` or `micron`.
 */
const MICROMETRES: Record<string, number> = {
  pm: 1e-6,
  Å: 1e-4,
  nm: 1e-3,
  µm: 1,
  mm: 1e3,
  cm: 1e4,
  m: 1e6,
};

const MICRON = /^(?:μm|um|microns?)$/i;

/**
 * `size` measured in unit `from`, expressed in unit `to` (OME-XML length units: `pm`, `Å`, `nm`,
 * `µm`, `mm`, `cm`, `m`), or undefined when either unit is not one of them. OME-TIFFs may state
 * each axis in its own unit (`PhysicalSizeXUnit="nm"` beside a Y in the default µm).
 */
export function convertLength(size: number, from: string, to: string): number | undefined {
  const scale = (unit: string) => MICROMETRES[MICRON.test(unit.trim()) ? 'µm' : unit.trim()];
  const [a, b] = [scale(from), scale(to)];
  return a === undefined || b === undefined ? undefined : (size * a) / b;
}

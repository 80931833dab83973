import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/**
 * The file of each sample id under `dir` (recursive), by the rule of the datasets: the path
 * relative to the folder without `extension` (forward slashes), else the file name when it is
 * unique.
 */
export async function fileIdIndex(dir: string, extension: string): Promise<Map<string, string>> {
  const ext = extension.toLowerCase();
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const paths = entries
    .filter((e) => e.isFile() && e.name.toLowerCase().endsWith(ext))
    .map((e) => join(e.parentPath, e.name));
  const byId = new Map<string, string>();
  const stems = new Map<string, string[]>();
  for (const path of paths) {
    const id = relative(dir, path).split(sep).join('/').slice(0, -ext.length);
    byId.set(id, path);
    const stem = id.slice(id.lastIndexOf('/') + 1);
    stems.set(stem, [...(stems.get(stem) ?? []), path]);
  }
  for (const [stem, list] of stems)
    if (list.length === 1 && !byId.has(stem)) byId.set(stem, list[0]!);
  return byId;
}

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { FileSystemError } from '@cellshape/core';

let plotlySource: string | undefined;

/**
 * The minified plotly.js bundle, read once from node_modules, for inlining into a report page
 * (so the page opens offline). `fn` names the caller in the error when the package is missing.
 */
export function plotlySourceFor(fn: string): string {
  if (plotlySource === undefined) {
    const require = createRequire(import.meta.url);
    let path: string;
    try {
      path = require.resolve('plotly.js-dist-min');
    } catch (error) {
      throw new FileSystemError(
        `${fn}: cannot find the 'plotly.js-dist-min' package the report inlines; install it`,
        { fn, arg: 'plotly.js-dist-min', cause: error },
      );
    }
    plotlySource = readFileSync(path, 'utf8');
  }
  return plotlySource;
}

import { describe, expect, it } from 'vitest';
import * as cellshape from './index.js';

describe('public API of cellshape', () => {
  it('exports exactly these names', () => {
    expect(Object.keys(cellshape).sort()).toMatchInlineSnapshot(`
      [
        "DEFAULT_DEMO_DATA_OPTIONS",
        "DEFAULT_EXTRACT_RUN_OPTIONS",
        "DEFAULT_POINT_CLOUD_SVG_OPTIONS",
        "DEFAULT_REPORT_OPTIONS",
        "DEFAULT_TRAIN_RUN_OPTIONS",
        "DEMO_FAMILIES",
        "DEMO_PRESETS",
        "DEMO_TREATMENTS",
        "EXIT_CODES",
        "MODEL_KINDS",
        "RUN_FILES",
        "RUN_LAYOUT",
        "captureIo",
        "cloud",
        "cluster",
        "core",
        "engine",
        "extractRun",
        "generateDemoData",
        "helper",
        "modelPlugin",
        "pointCloudSvg",
        "readRun",
        "renderReport",
        "run",
        "runDemo",
        "runPaths",
        "trainRun",
        "writeReport",
      ]
    `);
  });
});

import { describe, expect, it } from 'vitest';
import * as cellshape from './index.js';

describe('public API of cellshape', () => {
  it('exports exactly these names', () => {
    expect(Object.keys(cellshape).sort()).toMatchInlineSnapshot(`
      [
        "ANALYSE_CLASSIFIERS",
        "ANALYSE_CLUSTERINGS",
        "ANALYSE_FILES",
        "DEFAULT_ANALYSE_OPTIONS",
        "DEFAULT_CLOUD_MODEL_SETTINGS",
        "DEFAULT_DEMO_DATA_OPTIONS",
        "DEFAULT_EXTRACT_RUN_OPTIONS",
        "DEFAULT_MODEL",
        "DEFAULT_POINT_CLOUD_SVG_OPTIONS",
        "DEFAULT_REPORT_OPTIONS",
        "DEFAULT_TRAIN_RUN_OPTIONS",
        "DEMO_FAMILIES",
        "DEMO_PRESETS",
        "DEMO_TREATMENTS",
        "ENCODER_KMEANS_TYPE",
        "EXIT_CODES",
        "IDEC_LR_MAX",
        "IDEC_TYPE",
        "RUN_FILES",
        "RUN_LAYOUT",
        "analyseRun",
        "captureIo",
        "cloud",
        "cloudModel",
        "cluster",
        "core",
        "emptyClustersNote",
        "engine",
        "extractRun",
        "generateDemoData",
        "helper",
        "idecLearningRate",
        "modelNames",
        "modelPlugin",
        "modelPlugins",
        "pointCloudSvg",
        "readClusteredModel",
        "readRun",
        "registerModel",
        "renderReport",
        "resolveTrainRunOptions",
        "run",
        "runDemo",
        "runPaths",
        "trainRun",
        "unregisterModel",
        "writeReport",
      ]
    `);
  });
});

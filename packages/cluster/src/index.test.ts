import { describe, expect, it } from 'vitest';
import * as pkg from './index.js';

describe('@cellshape/cluster public API', () => {
  it('exports exactly these names', () => {
    expect(Object.keys(pkg).sort()).toEqual([
      'AUTOENCODER_PREFIX',
      'CLUSTERING_WEIGHT_KEY',
      'ClusteringLayer',
      'DEFAULT_CHOOSE_K_OPTIONS',
      'DEFAULT_CLUSTERING_LAYER_OPTIONS',
      'DEFAULT_HIERARCHICAL_OPTIONS',
      'DEFAULT_IDEC_CSV_OPTIONS',
      'DEFAULT_KL_OPTIONS',
      'DEFAULT_KMEANS_OPTIONS',
      'DEFAULT_KNEEDLE_OPTIONS',
      'DEFAULT_PLATE_NORMALISE_OPTIONS',
      'DEFAULT_SOFT_ASSIGNMENT_OPTIONS',
      'DEFAULT_STANDARDISE_OPTIONS',
      'DEFAULT_TRAIN_IDEC_OPTIONS',
      'DEFAULT_UMAP_2D_OPTIONS',
      'DeepEmbeddedClustering',
      'adjustedRandIndex',
      'arrayDataset',
      'chooseK',
      'denseMatrix',
      'hardLabels',
      'hierarchicalOrder',
      'idecResultToCsv',
      'klAgainst',
      'klDivergence',
      'klDivergenceOp',
      'klMatrix',
      'kmeans',
      'kneedle',
      'labelChangeShare',
      'logSoftAssignmentOp',
      'plateNormalise',
      'signatures',
      'softAssignment',
      'softAssignmentOp',
      'standardise',
      'targetDistribution',
      'trainIdec',
      'umap2d',
      'writeIdecCsv',
    ]);
  });
});

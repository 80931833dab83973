/**
 * The analysis toolkit at 10,000 samples × 64 features (8 separated Gaussian blobs, std 1,
 * centres drawn with std 5.8 — scikit-learn's `make_blobs` layout), each beside scikit-learn
 * 1.2.1 on its own `make_blobs` data of the same size and layout, timed by our
 * `reference_analysis.py`. HDBSCAN has a reference only where `sklearn.cluster.HDBSCAN`
 * (scikit-learn ≥ 1.3) or the `hdbscan` package imports; otherwise the case prints none.
 */
import type { BenchCase } from '../../../scripts/bench-types.js';
import { dbscan } from '../src/density/dbscan.js';
import { hdbscan } from '../src/density/hdbscan.js';
import { silhouetteScore } from '../src/metrics/silhouette.js';
import { gaussianMixture } from '../src/mixture/gaussian-mixture.js';
import { gaussianBlobs } from '../src/test-utils/blobs.js';

const SCRIPT = 'packages/cluster/bench/reference_analysis.py';
const [N, D, K] = [10_000, 64, 8];

const blobs = () =>
  gaussianBlobs({ k: K, perCluster: N / K, dim: D, spread: 5.8, std: 1, seed: 0 });
type Blobs = ReturnType<typeof blobs>;
const reference = (only: string) => ({ script: SCRIPT, only, args: [] });

const cases: BenchCase<Blobs>[] = [
  {
    bench: 'silhouette_10000x64',
    description: 'silhouetteScore, euclidean, all samples (vs sklearn silhouette_score)',
    setup: blobs,
    run: (s) => silhouetteScore(s.points, s.labels),
    reference: reference('silhouette'),
    runs: { min: 3, max: 5 },
    facts: (_, r) => ({ silhouette: Number(r).toFixed(4) }),
  },
  {
    bench: 'gmm_10000x64',
    description:
      'gaussianMixture k = 8, full covariances, k-means start (vs sklearn GaussianMixture)',
    setup: blobs,
    run: (s) => gaussianMixture(s.points, { k: K, seed: 0 }),
    reference: reference('gmm'),
    runs: { min: 3, max: 5 },
    facts: (_, r) => ({ nIter: (r as { nIter: number }).nIter }),
  },
  {
    bench: 'hdbscan_10000x64',
    description:
      'hdbscan, minClusterSize 5, EOM (vs sklearn.cluster.HDBSCAN / hdbscan when importable)',
    setup: blobs,
    run: (s) => hdbscan(s.points),
    reference: reference('hdbscan'),
    runs: { min: 3, max: 5 },
    facts: (_, r) => ({
      clusters: new Set(Array.from((r as { labels: Int32Array }).labels).filter((l) => l >= 0))
        .size,
    }),
  },
  {
    bench: 'dbscan_10000x64',
    description: 'dbscan eps 10, minSamples 5 (vs sklearn DBSCAN)',
    setup: blobs,
    run: (s) => dbscan(s.points, { eps: 10, minSamples: 5 }),
    reference: reference('dbscan'),
    runs: { min: 3, max: 5 },
    facts: (_, r) => ({
      clusters: new Set(Array.from((r as { labels: Int32Array }).labels).filter((l) => l >= 0))
        .size,
    }),
  },
];

export default cases;

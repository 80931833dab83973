import type { ExemplarsCluster } from './run-directory.js';

/** Options of {@link chooseExemplars}. */
export interface ExemplarOptions {
  /** Exemplars per cluster. Default 3. */
  perCluster?: number;
}

/** Defaults of {@link ExemplarOptions}. */
export const DEFAULT_EXEMPLAR_OPTIONS = { perCluster: 3 } as const;

/**
 * The cells most typical of each cluster: among the cells whose hard label is the cluster,
 * those with the highest soft label q (ties: dataset order). Returns cell indices per cluster.
 */
export function chooseExemplars(
  q: { data: ArrayLike<number>; shape: [number, number] },
  labels: ArrayLike<number>,
  options: ExemplarOptions = {},
): { cluster: number; size: number; members: { index: number; q: number }[] }[] {
  const [n, k] = q.shape;
  const perCluster = options.perCluster ?? DEFAULT_EXEMPLAR_OPTIONS.perCluster;
  return Array.from({ length: k }, (_, cluster) => {
    const members: { index: number; q: number }[] = [];
    for (let i = 0; i < n; i++)
      if (labels[i] === cluster) members.push({ index: i, q: q.data[i * k + cluster]! });
    const size = members.length;
    members.sort((a, b) => b.q - a.q || a.index - b.index);
    return { cluster, size, members: members.slice(0, perCluster) };
  });
}

/**
 * Builds the `exemplars.json` clusters, reading each exemplar's points with `pointsOf` and, when
 * given, its picture with `imageOf`.
 */
export async function exemplarClusters(
  chosen: ReturnType<typeof chooseExemplars>,
  ids: readonly string[],
  pointsOf: (index: number) => Promise<number[][]>,
  imageOf?: (index: number) => Promise<string | undefined>,
): Promise<ExemplarsCluster[]> {
  const out: ExemplarsCluster[] = [];
  for (const { cluster, size, members } of chosen) {
    const exemplars: ExemplarsCluster['exemplars'] = [];
    for (const { index, q } of members) {
      const image = await imageOf?.(index);
      const points = await pointsOf(index);
      exemplars.push({ id: ids[index]!, q, points, ...(image ? { image } : {}) });
    }
    out.push({ cluster, size, exemplars });
  }
  return out;
}

/**
 * The support vector classifier at a realistic embedding size: fit + predict of an RBF SVM
 * (C = 5, γ = 'scale') on 10,000 × 64 features in three overlapping classes, beside
 * scikit-learn's `SVC` (libsvm, timed by our `reference_classify.py`) on the same data.
 */
import type { BenchCase } from '../../../scripts/bench-types.js';
import { SvmClassifier } from '../src/classify/svm/svm-classifier.js';
import type { DenseMatrix } from '../src/dense-matrix.js';

const [N, D] = [10_000, 64];

interface Data {
  X: DenseMatrix<Float64Array>;
  labels: Int32Array;
}

/** Uniform [−1, 1) features from the Park–Miller generator (as the Python reference), class i % 3 shifted by 0.8 along feature i % 3. */
function synthetic(n: number, d: number): Data {
  const data = new Float64Array(n * d);
  let s = 1;
  for (let t = 0; t < n * d; t++) {
    s = (s * 16807) % 2147483647;
    data[t] = (s / 2147483647) * 2 - 1;
  }
  const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
  for (let i = 0; i < n; i++) data[i * d + labels[i]!]! += 0.8;
  return { X: { data, shape: [n, d] }, labels };
}

function fitPredict({ X, labels }: Data) {
  const svm = new SvmClassifier({ kernel: 'rbf', C: 5, gamma: 'scale' }).fit(X, labels);
  const predicted = svm.predict(X);
  let hits = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === labels[i]) hits++;
  return {
    accuracy: hits / labels.length,
    nSupport: svm.model.nSupport.reduce((a, b) => a + b, 0),
  };
}

const cases: BenchCase<Data>[] = [
  {
    bench: 'svm_10000x64',
    description: 'SvmClassifier fit + predict, RBF, C = 5, 10,000 × 64, 3 classes',
    setup: () => synthetic(N, D),
    run: fitPredict,
    runs: { min: 1, max: 3, budgetSeconds: 60 },
    reference: {
      script: 'packages/cluster/bench/reference_classify.py',
      only: 'svm_10000x64',
      args: [],
    },
    facts: (_state, result) => result as Record<string, number>,
  },
];

export default cases;

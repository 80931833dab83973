import type { DenseMatrix } from '../../dense-matrix.js';
import { type CvReference, type Dataset, mean } from '../../test-utils/classification-fixtures.js';
import { takeRows } from '../classifier.js';
import { SvmClassifier } from './svm-classifier.js';

/** Our SVM on sklearn's folds with one fixture setting: mean accuracy and support counts per fold. */
export function runSvmCase(data: Dataset, ref: CvReference, key: string) {
  const setting = ref.svm[key]!;
  const { params } = setting;
  const n = data.X.shape[0];
  const accuracy: number[] = [];
  const nSupport: number[] = [];
  for (const test of ref.testFolds) {
    const inTest = new Set(test);
    const train = Array.from({ length: n }, (_, i) => i).filter((i) => !inTest.has(i));
    let Xtr = takeRows(data.X, train);
    let Xte = takeRows(data.X, test);
    if (setting.standardise) [Xtr, Xte] = scaleLike(Xtr, Xte);
    const svm = new SvmClassifier({
      kernel: params.kernel,
      C: params.C,
      gamma: params.gamma ?? 'scale',
      classWeight: params.class_weight,
    });
    const pred = svm
      .fit(
        Xtr,
        train.map((i) => data.target[i]!),
      )
      .predict(Xte);
    accuracy.push(test.filter((i, t) => pred[t] === data.target[i]).length / test.length);
    nSupport.push(svm.model.nSupport.reduce((a, b) => a + b, 0));
  }
  return {
    accuracy: mean(accuracy),
    reference: mean(setting.foldAccuracy),
    nSupport,
    referenceSupport: setting.nSupport,
  };
}

type M = DenseMatrix<Float64Array>;

/** Z-scores train and test with the training rows' mean and std (sklearn's StandardScaler). */
function scaleLike(train: M, test: M): [M, M] {
  const [n, d] = train.shape;
  const mu = new Float64Array(d);
  const sd = new Float64Array(d);
  for (let c = 0; c < d; c++) {
    for (let i = 0; i < n; i++) mu[c]! += train.data[i * d + c]! / n;
    for (let i = 0; i < n; i++) sd[c]! += (train.data[i * d + c]! - mu[c]!) ** 2 / n;
    sd[c] = Math.sqrt(sd[c]!) || 1;
  }
  const apply = (m: M): M => ({
    data: m.data.map((v, i) => (v - mu[i % d]!) / sd[i % d]!),
    shape: m.shape,
  });
  return [apply(train), apply(test)];
}

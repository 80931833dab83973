import { invalidArgument } from '@cellshape/core';
import { registerGradients } from '@cellshape/engine';
import {
  add,
  customGrad,
  div,
  exp,
  type GradSaveFunc,
  greater,
  log,
  logSumExp,
  mul,
  onesLike,
  reshape,
  type Scalar,
  square,
  sub,
  sum,
  type Tensor,
  type Tensor2D,
  tidy,
  where,
  zerosLike,
} from '@tensorflow/tfjs-core';
import { checkAlpha } from './soft-assignment.js';

function check2d(fn: string, arg: string, t: Tensor, cols?: number): void {
  if (t === null || typeof t !== 'object' || !Array.isArray((t as Tensor).shape) || t.rank !== 2)
    throw invalidArgument(fn, arg, 'a 2-D tensor', t?.shape ?? t);
  if (cols !== undefined && t.shape[1] !== cols)
    throw invalidArgument(fn, arg, `to have ${cols} columns`, t.shape);
}

/**
 * Row-wise log-sum-exp `[n, K] → [n, 1]` with its gradient (softmax) given directly: tfjs's
 * `logSumExp` differentiates through a keep-dims `max`, whose engine gradient mis-shapes.
 */
const logSumExpRows = customGrad(((x: Tensor, save: GradSaveFunc) => {
  const value = logSumExp(x, 1, true);
  save([x, value]);
  return {
    value,
    gradFunc: (dy: Tensor, saved: Tensor[]) => mul(dy, exp(sub(saved[0]!, saved[1]!))),
  };
}) as unknown as Parameters<typeof customGrad>[0]) as (x: Tensor) => Tensor;

/**
 * `log q` of the Student-t soft assignment as a differentiable tfjs op (see `softAssignment`
 * for the formula): `log q_ij = −(α+1)/2 · log(1 + d²_ij/α) − logsumexp_j(…)`, which stays finite
 * for far points where q itself underflows in float32.
 *
 * @param features `[n, F]`.
 * @param centres `[K, F]`.
 * @param alpha Student-t degrees of freedom, > 0. Default 1.
 * @returns `[n, K]`.
 */
export function logSoftAssignmentOp(features: Tensor, centres: Tensor, alpha = 1): Tensor2D {
  const fn = 'logSoftAssignmentOp';
  check2d(fn, 'features', features);
  check2d(fn, 'centres', centres, features.shape[1]);
  checkAlpha(fn, alpha);
  registerGradients();
  const power = (alpha + 1) / 2;
  return tidy(() => {
    const [n, f] = features.shape as [number, number];
    const k = centres.shape[0]!;
    // reshape, not expandDims: the engine's ExpandDims gradient reads an input named 'x'.
    const diff = sub(reshape(features, [n, 1, f]), reshape(centres, [1, k, f]));
    const d2 = sum(square(diff), 2);
    // log(1 + ·) rather than log1p: the engine registers gradients for Log, not Log1p.
    const logKern = mul(log(add(div(d2, alpha), 1)), -power);
    return sub(logKern, logSumExpRows(logKern)) as Tensor2D;
  });
}

/** The soft assignment `q` (`[n, K]`, rows sum to 1) as a differentiable tfjs op. */
export function softAssignmentOp(features: Tensor, centres: Tensor, alpha = 1): Tensor2D {
  return tidy(() => exp(logSoftAssignmentOp(features, centres, alpha)) as Tensor2D);
}

/**
 * `KL(P‖Q)` with `reduction='batchmean'` (PyTorch's `KLDivLoss(log q, p)`) as a tfjs op,
 * differentiable with respect to `logQ`: `Σ_ij p_ij (log p_ij − log q_ij) / n`, terms with
 * `p_ij = 0` counting 0.
 *
 * @param p target distribution `[n, K]` (a constant: no gradient flows into it).
 * @param logQ `log q`, `[n, K]`, e.g. from {@link logSoftAssignmentOp}.
 */
export function klDivergenceOp(p: Tensor, logQ: Tensor): Scalar {
  const fn = 'klDivergenceOp';
  check2d(fn, 'p', p);
  check2d(fn, 'logQ', logQ, p.shape[1]);
  if (logQ.shape[0] !== p.shape[0])
    throw invalidArgument(fn, 'logQ', `to have the shape of 'p' [${p.shape}]`, logQ.shape);
  registerGradients();
  return tidy(() => {
    const positive = greater(p, 0);
    const safeP = where(positive, p, onesLike(p));
    const pLogP = where(positive, mul(p, log(safeP)), zerosLike(p));
    const cross = mul(p, logQ);
    return div(sum(sub(pLogP, cross)), p.shape[0]) as Scalar;
  });
}

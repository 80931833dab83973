import { classificationReport, crossValidateClassifier, encodeLabels } from '@cellshape/cluster';
import { InvalidArgumentError } from '@cellshape/core';
import type { ResolvedAnalyseOptions } from './analyse-options.js';
import type { ClassificationOutcome } from './analyse-results.js';
import type { Profiles } from './prepare-profiles.js';

const FN = 'analyseRun';

/** `--classify` names → `crossValidateClassifier`'s. */
const CLASSIFIER = { svm: 'svm', rf: 'randomForest' } as const;

/** How the classify stage splits the profiles, checked before any work is done. */
export interface ClassificationPlan {
  /** Grouped (stratified-group) folds: several profiles share a group (rows not aggregated). */
  grouped: boolean;
}

function fail(message: string, arg: string): InvalidArgumentError {
  return new InvalidArgumentError(`${FN}: ${message}`, { fn: FN, arg });
}

/**
 * Checks that the classes and folds can work: at least two classes; with grouped folds (several
 * profiles per group: `design.group` without aggregation, so no group sits on both sides of a
 * split) at least as many groups as folds, else at least as many profiles of every class as
 * folds (stratified folds).
 *
 * @throws InvalidArgumentError (`design.by`) for a single class; (`pipeline.folds`) otherwise.
 */
export function planClassification(p: Profiles, o: ResolvedAnalyseOptions): ClassificationPlan {
  const { codes, classes } = encodeLabels(p.classes!);
  if (classes.length < 2)
    throw fail(
      `column ${JSON.stringify(o.by)} has a single class (${JSON.stringify(classes[0])}); classification needs at least 2`,
      'design.by',
    );
  const units = new Set(p.groups).size;
  const grouped = units < p.groups.length;
  if (o.folds > units)
    throw fail(
      `${o.folds} folds need at least ${o.folds} ${grouped ? 'groups' : 'profiles'}, there are ${units}`,
      'pipeline.folds',
    );
  if (!grouped) {
    const counts = classes.map((_, c) => codes.filter((v) => v === c).length);
    const rare = counts.findIndex((count) => count < o.folds);
    if (rare >= 0)
      throw fail(
        `${o.folds} stratified folds need at least ${o.folds} profiles of every class, ${o.by} = ${JSON.stringify(classes[rare])} has ${counts[rare]}`,
        'pipeline.folds',
      );
  }
  return { grouped };
}

/**
 * The classify stage: `crossValidateClassifier` predicts the class (`design.by`) of every
 * profile with a model trained on the other folds (standardised on them; SVM: RBF, C = 5,
 * balanced class weights; or a seeded random forest), then the pooled out-of-fold predictions
 * are scored: confusion matrix, accuracy, balanced accuracy, Cohen's kappa, per-class
 * precision / recall / F1 and their macro and weighted means.
 */
export function classifyProfiles(
  p: Profiles,
  o: ResolvedAnalyseOptions,
  plan: ClassificationPlan,
): ClassificationOutcome {
  const classifier = o.classify === 'rf' ? 'rf' : 'svm';
  const cv = crossValidateClassifier(p.features, p.classes!, {
    classifier: CLASSIFIER[classifier],
    k: o.folds,
    seed: o.seed,
    ...(plan.grouped ? { folds: 'stratifiedGroup' as const, groups: p.groups } : {}),
  });
  const names = cv.classes.map(String);
  const labels = names.map((_, c) => c);
  const report = classificationReport(cv.codes, cv.predicted, { labels, names });
  return {
    classifier,
    column: o.by!,
    folds: cv.folds.length,
    grouped: plan.grouped,
    classes: names,
    confusion: cv.confusion.matrix,
    accuracy: cv.pooled.accuracy,
    balancedAccuracy: cv.pooled.balancedAccuracy,
    cohenKappa: cv.pooled.kappa,
    macroF1: report.macroAvg.f1,
    weightedF1: report.weightedAvg.f1,
    perClass: report.classes.map((c) => ({
      class: c.name,
      precision: c.precision,
      recall: c.recall,
      f1: c.f1,
      support: c.support,
    })),
    foldAccuracy: cv.folds.map((f) => f.scores.accuracy),
  };
}

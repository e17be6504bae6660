/**
 * The words of a `sweep NAME { … }` section: its lines, distributions, samplers, pruners and
 * objectives. Lowering (src/lower/sweep.ts), the experiment checker (src/core/experiment.ts),
 * `hwy explain`, completion and hover all read this table, so they cannot disagree.
 */

export interface SweepLineSpec {
  word: string;
  doc: string;
  /** How it is written, for hints and completion. */
  example: string;
  /** Attributes it takes (name=value), with their docs. */
  attrs: { name: string; doc: string }[];
  /** May be written more than once (each line adds an axis or a parameter). */
  repeatable?: boolean;
}

export const DISTRIBUTIONS = ['uniform', 'loguniform', 'int', 'choice'] as const;
export type DistributionName = (typeof DISTRIBUTIONS)[number];
export const DISTRIBUTION_DOCS: Record<DistributionName, { doc: string; example: string }> = {
  uniform: { doc: 'a number drawn evenly between LOW and HIGH', example: 'uniform 0.5 0.99' },
  loguniform: { doc: 'a number drawn evenly on a log scale between LOW and HIGH (both above 0): for rates', example: 'loguniform 1e-3 1e-1' },
  int: { doc: 'a whole number from LOW to HIGH (both included), in steps of step= (default 1)', example: 'int 16 256 step=16' },
  choice: { doc: 'one of the listed values: numbers or names', example: 'choice [relu, tanh]' },
};

export const SAMPLERS = ['random', 'tpe', 'grid'] as const;
export type SamplerWord = (typeof SAMPLERS)[number];
export const SAMPLER_DOCS: Record<SamplerWord, string> = {
  random: 'each trial draws every searched value at random (in-process: no Python needed)',
  tpe: "Optuna's tree-structured Parzen estimator: later trials draw where earlier ones did well (needs python3-optuna)",
  grid: 'every combination of the searched values once (choice and int only)',
};

export const PRUNERS = ['none', 'median', 'successive_halving'] as const;
export type PrunerWord = (typeof PRUNERS)[number];
export const PRUNER_DOCS: Record<PrunerWord, string> = {
  none: 'every trial trains until its stop rule (the default)',
  median: "stops a trial whose objective after an epoch is worse than the median of earlier trials' at that epoch (Optuna)",
  successive_halving: 'keeps the better part of the trials at each rung of epochs and stops the rest (Optuna)',
};

export const METRICS = ['val_loss', 'val_accuracy', 'loss', 'accuracy'] as const;
export type MetricWord = (typeof METRICS)[number];
export const DIRECTIONS = ['min', 'max'] as const;
export const REDUCTIONS = ['final', 'best'] as const;

export const STOP_ATTRS = [
  { name: 'epochs', doc: 'the most epochs a trial trains (default: the networks\' `epochs`)' },
  { name: 'patience', doc: 'stop after this many epochs without an improvement of the training loss' },
  { name: 'target_loss', doc: 'stop once the training loss is below this' },
  { name: 'min_improvement', doc: 'the least relative decrease of the loss that counts as an improvement (0.01: 1%)' },
];

export const SWEEP_LINES: SweepLineSpec[] = [
  { word: 'networks', doc: 'the networks the sweep trains: LABEL="spec.hwy" (paths relative to this file); without it, the network of this file', example: 'networks plain="mlp-plain.hwy" highway="mlp-highway.hwy"', attrs: [] },
  { word: 'grid', doc: 'an axis of the grid: a `let` constant or a training setting, and its values; every combination of the axes is a grid point, trained for every network that has the name', example: 'grid depth [10, 20, 50, 100]', attrs: [], repeatable: true },
  { word: 'search', doc: 'a constant or training setting searched within each grid point, and its distribution: uniform, loguniform, int or choice', example: 'search train.lr loguniform 1e-3 1e-1', attrs: [{ name: 'step', doc: 'int: the step between values (default 1)' }], repeatable: true },
  { word: 'trials', doc: 'trials per grid point (needed when something is searched; sampler grid: every combination by default)', example: 'trials 10', attrs: [] },
  { word: 'seeds', doc: 'seeds per trial: `seeds 3` trains each trial with seeds 1, 2, 3 (its objective is their mean); `seeds [7, 8]` names them', example: 'seeds 3', attrs: [] },
  { word: 'sampler', doc: 'how trials draw the searched values: random (default), tpe or grid; seed= the sampler\'s seed (default 1)', example: 'sampler tpe seed=1', attrs: [{ name: 'seed', doc: "the sampler's seed (default 1)" }] },
  { word: 'objective', doc: 'what a trial is judged by: val_loss, val_accuracy, loss or accuracy; min or max; its final or best epoch', example: 'objective val_loss min final', attrs: [] },
  { word: 'stop', doc: 'when a trial stops training: epochs= (the cap), patience=, target_loss=, min_improvement=', example: 'stop epochs=25 patience=5', attrs: STOP_ATTRS },
  { word: 'pruner', doc: 'stops unpromising trials early, from the objective reported after each epoch: none (default), median or successive_halving', example: 'pruner median', attrs: [] },
];

export const SWEEP_LINE_BY_WORD = new Map(SWEEP_LINES.map((l) => [l.word, l]));

/** The most grid points a sweep may have, and the most networks its check compiles (each grid point, each range end and choice at each). */
export const MAX_GRID_POINTS = 10_000;
export const MAX_SWEEP_COMPILES = 5_000;

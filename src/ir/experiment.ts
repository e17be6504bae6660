/**
 * A checked experiment: what a `sweep NAME { … }` section of a spec means once every grid
 * point's network has compiled. The language side (parser, lower, check) produces it; the
 * runners (in-process grid/random search on either engine, Optuna's ask-and-tell for TPE,
 * pruning and shared storage) consume it. Plain JSON: it is written into the sweep
 * directory and the study's user attributes, and compared on resume.
 */

/** Where a swept name lands: a `let` constant of the network's spec, or a training setting path (`train.lr`, `train.optimizer.beta2`). */
export type ParamTarget = 'constant' | 'setting';

export type ParamValue = number | string;

export interface GridAxis {
  name: string;
  target: ParamTarget;
  values: ParamValue[];
  /**
   * The labels of the networks it applies to, when not all: a constant only some networks
   * define (`gate_bias` of a highway net beside a plain one). A network outside the list
   * neither takes nor varies it, so its grid points are the combinations of the other axes.
   */
  networks?: string[];
}

export type Distribution =
  | { type: 'uniform'; low: number; high: number }
  | { type: 'loguniform'; low: number; high: number }
  | { type: 'int'; low: number; high: number; step: number }
  | { type: 'choice'; choices: ParamValue[] };

export interface SearchParam {
  name: string;
  target: ParamTarget;
  dist: Distribution;
  /** The labels of the networks it applies to, when not all (as for GridAxis); the others neither take nor draw it. */
  networks?: string[];
}

export interface PlanNetwork {
  /** How tables and figures name it (the network's name, unique in the plan). */
  label: string;
  /** The spec file, absolute. */
  specFile: string;
  network: string;
}

export type ObjectiveMetric = 'val_loss' | 'val_accuracy' | 'loss' | 'accuracy';

export interface Objective {
  metric: ObjectiveMetric;
  direction: 'minimize' | 'maximize';
  /** The epoch that counts: the last one trained, or the best one. */
  reduce: 'final' | 'best';
}

export interface PlanStop {
  /** The most epochs a trial trains. */
  maxEpochs: number;
  targetLoss?: number;
  patience?: number;
  minImprovement?: number;
}

export type PrunerName = 'none' | 'median' | 'successive_halving';
export type SamplerName = 'grid' | 'random' | 'tpe';

export interface ExperimentPlan {
  /** The sweep's name in the spec. */
  name: string;
  /** The spec file that declares it, absolute. */
  file: string;
  networks: PlanNetwork[];
  /** Every combination of these is a grid point (times every network). */
  grid: GridAxis[];
  /** Searched within each grid point. */
  space: SearchParam[];
  /** Trials per grid point (1 when the space is empty). */
  trials: number;
  /** Seeds per trial: each trial trains once per seed, and its objective is the mean. */
  seeds: number[];
  objective: Objective;
  stop: PlanStop;
  pruner: PrunerName;
  sampler: SamplerName;
  /** The sampler's seed. */
  seed: number;
}

/** One grid point: a network and the values of the grid axes. */
export interface GridPoint {
  network: string;
  values: Record<string, ParamValue>;
}

/** What one training run of a trial takes: constants for `compile`'s overrides, settings as `--set train.…`. */
export interface RunAssignment {
  network: string;
  constants: Record<string, ParamValue>;
  settings: { path: string; value: string }[];
  seed: number;
}

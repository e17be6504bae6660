import type { ExperimentPlan, GridPoint, ParamValue } from '../ir/experiment.js';

/**
 * The search behind a sweep, as the runner sees it: ask for a trial's parameters within a
 * grid point, report each epoch's objective (the search may prune the trial), tell how the
 * trial ended. In-process grid and random search implement it with no Python; Optuna's
 * ask-and-tell (TPE, pruners, shared storage) implements it through a Python worker.
 * The search owns the trial numbering and the record of trials; the runner owns the runs.
 */
export interface TrialTicket {
  /** The search's own id of the trial (Optuna's trial number; in-process: a counter), unique in the study. */
  id: number;
  point: GridPoint;
  /** The searched parameters' values, by name (the plan's `space`). */
  params: Record<string, ParamValue>;
  /**
   * The trial's number within its grid point, 1-based, where the search numbers trials so
   * (the in-process searches: a trial's random draws and its runs' seeds follow it, as the
   * paper sweep's did). Optional: a shared study's trials have no such number.
   */
  trial?: number;
}

/** How a trial ended, as the search records it. */
export type TrialEnd =
  | { state: 'complete'; value: number }
  | { state: 'pruned'; value?: number }
  | { state: 'failed'; reason: string };

export interface Search {
  /** A new trial at this grid point, or null when the point has had all its trials. */
  ask(point: GridPoint): Promise<TrialTicket | null>;
  /** The objective after `step` epochs; true when the search prunes the trial. */
  report(trial: TrialTicket, step: number, value: number): Promise<boolean>;
  tell(trial: TrialTicket, end: TrialEnd): Promise<void>;
  /** Lets the search release what it holds (a Python worker, a connection). */
  close(): Promise<void>;
}

export type SearchFactory = (plan: ExperimentPlan) => Promise<Search>;

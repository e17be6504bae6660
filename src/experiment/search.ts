import type { ExperimentPlan, GridPoint, ParamValue } from '../ir/experiment.js';
import type { TrialRecord } from './records.js';

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
  | { state: 'failed'; reason: string }
  /** Stopped before it finished (Ctrl-C): not a result; the search hands its slot out again, so the sweep continues it. */
  | { state: 'interrupted' };

export interface Search {
  /** A new trial at this grid point, or null when the point has had all its trials. */
  ask(point: GridPoint): Promise<TrialTicket | null>;
  /** The objective after `step` epochs; true when the search prunes the trial. */
  report(trial: TrialTicket, step: number, value: number): Promise<boolean>;
  /** How the trial ended; a search shared by several processes keeps `record` (the runner's record of it) for the others' results. */
  tell(trial: TrialTicket, end: TrialEnd, record?: TrialRecord): Promise<void>;
  /**
   * A search whose study several processes share (Optuna's): every trial that any of them
   * finished, as the runner recorded it, with where its runs live. Its presence says the
   * study is shared: the runner then lets other processes work in the same sweep directory.
   */
  records?(): Promise<SharedRecord[]>;
  /** Lets the search release what it holds (a Python worker, a connection). */
  close(): Promise<void>;
}

export type SearchFactory = (plan: ExperimentPlan) => Promise<Search>;

/** A finished trial of a shared study, as the worker that trained it recorded it. */
export interface SharedRecord {
  record: TrialRecord;
  /** The machine and sweep directory of that worker (undefined where the study did not record them). */
  host?: string;
  dir?: string;
}

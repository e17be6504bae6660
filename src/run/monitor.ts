// The monitored metric of a run: which epoch is best (for the best checkpoint) and whether
// training should stop early. Both engines report every epoch's metrics to Node through the
// RunSink, so this is decided here, once, for tfjs and torch alike (the torch driver only
// receives the stop it would also receive from Ctrl-C). Keras semantics: a loss improves by
// going down, an accuracy by going up; early stopping waits `patience` epochs without an
// improvement larger than `minDelta`, and the best checkpoint follows any strict improvement.
import type { MetricsLine } from '../backends/engine.js';

/** A monitor or early-stopping setting that does not fit the run: one line, for the person to fix. */
export class MonitorError extends Error {}

export const MONITORS = ['val_loss', 'val_accuracy', 'loss', 'accuracy'] as const;
export type MonitorName = (typeof MONITORS)[number];

const FIELD: Record<MonitorName, keyof MetricsLine> = { val_loss: 'valLoss', val_accuracy: 'valAccuracy', loss: 'loss', accuracy: 'accuracy' };

/** What a run monitors, as run.json records it. */
export interface MonitorSettings {
  monitor: MonitorName;
  /** Epochs without improvement before training stops; absent: no early stopping. */
  patience?: number;
  /** The least change that counts as an improvement for early stopping (Keras min_delta). */
  minDelta: number;
}

/** Where the monitor stands, saved in each checkpoint's state.json so that a resume goes on from it. */
export interface MonitorRecord {
  monitor: MonitorName;
  /** The best epoch so far (strict improvement): the one in best/. */
  best: { epoch: number; value: number } | null;
  /** Early stopping's reference value (moves only by more than minDelta) and epochs since it moved. */
  reference: number | null;
  wait: number;
}

export const MONITOR_RECORD_SCHEMA = {
  type: 'object',
  required: ['monitor', 'best', 'reference', 'wait'],
  additionalProperties: false,
  properties: {
    monitor: { enum: [...MONITORS] },
    best: { oneOf: [{ type: 'null' }, { type: 'object', required: ['epoch', 'value'], additionalProperties: false, properties: { epoch: { type: 'integer', minimum: 1 }, value: { type: 'number' } } }] },
    reference: { type: ['number', 'null'] },
    wait: { type: 'integer', minimum: 0 },
  },
} as const;

export const MONITOR_SETTINGS_SCHEMA = {
  type: 'object',
  required: ['monitor', 'minDelta'],
  additionalProperties: false,
  properties: { monitor: { enum: [...MONITORS] }, patience: { type: 'integer', minimum: 1 }, minDelta: { type: 'number', minimum: 0 } },
} as const;

export const lowerIsBetter = (m: MonitorName) => m.endsWith('loss');

/** The default monitor: the validation loss when there is a validation split (as Keras), else the training loss. */
export function defaultMonitor(validationCount: number): MonitorName {
  return validationCount > 0 ? 'val_loss' : 'loss';
}

/** Why a monitor cannot be used for a run, or undefined. */
export function monitorProblem(m: MonitorName, validationCount: number): string | undefined {
  if (m.startsWith('val_') && validationCount === 0) return `--monitor ${m}: this run has no validation examples, so there is no ${m} to monitor; monitor ${m.slice(4)} instead, or keep a validation split`;
  return undefined;
}

export function freshMonitorRecord(monitor: MonitorName): MonitorRecord {
  return { monitor, best: null, reference: null, wait: 0 };
}

export class Monitor {
  record: MonitorRecord;
  constructor(
    readonly settings: MonitorSettings,
    record?: MonitorRecord,
  ) {
    this.record = record ? structuredClone(record) : freshMonitorRecord(settings.monitor);
  }

  /** Takes an epoch's metrics; says whether it is the new best and whether training should stop after it. */
  update(line: MetricsLine): { best: boolean; stop: boolean } {
    const raw = line[FIELD[this.settings.monitor]];
    // a missing value (no validation split) is refused before training starts; NaN never improves
    const value = typeof raw === 'number' ? raw : NaN;
    const lower = lowerIsBetter(this.settings.monitor);
    const beats = (a: number, b: number | null, delta: number) => Number.isFinite(a) && (b === null || (lower ? a < b - delta : a > b + delta));
    const r = this.record;
    const best = beats(value, r.best?.value ?? null, 0);
    if (best) r.best = { epoch: line.epoch, value };
    if (beats(value, r.reference, this.settings.minDelta)) {
      r.reference = value;
      r.wait = 0;
    } else r.wait++;
    return { best, stop: this.shouldStop() };
  }

  /** Whether the patience has run out (also right after a resume of a run that stopped early). */
  shouldStop(): boolean {
    return this.settings.patience !== undefined && this.record.wait >= this.settings.patience;
  }

  /** Why training stopped, in words: "val_loss has not improved for 2 epochs (patience 2); the best, 1.0869, was at epoch 1". */
  stopMessage(): string {
    const s = this.settings;
    const best = this.record.best;
    const wait = this.record.wait;
    return `${s.monitor} has not improved${s.minDelta ? ` by more than ${s.minDelta}` : ''} for ${wait} epoch${wait === 1 ? '' : 's'} (patience ${s.patience})${best ? `; the best, ${fmt(best.value)}, was at epoch ${best.epoch}` : ''}`;
  }
}

const fmt = (x: number) => (Math.abs(x) >= 1e-3 || x === 0 ? x.toFixed(4) : x.toPrecision(3));

// Figure 1's protocol in numbers: when a trial of a sweep has converged, and the paper's
// claims checked on the best runs. Pure functions, so that the command line reads the
// defaults without loading the trainer, and the claims can be tested on made-up rows.

/**
 * When a trial stops: "trained to convergence" made concrete. A trial stops at the first
 * epoch where its training loss is at most `targetLoss` (the paper's "below 1e-4"), or where
 * the best loss of its last `patience` epochs is not at least `minImprovement` (relative)
 * lower than the best loss before them (it stopped falling), or at `maxEpochs`.
 */
export interface StopRule {
  maxEpochs: number;
  targetLoss: number;
  patience: number;
  minImprovement: number;
}

export const DEFAULT_STOP: Omit<StopRule, 'maxEpochs'> = { targetLoss: 1e-4, patience: 10, minImprovement: 0.01 };

export type StopReason = 'target' | 'plateau' | 'max-epochs' | 'diverged';

/** Why a trial whose training losses (one an epoch, in order) are `losses` stops now, or undefined when it goes on. */
export function stopReason(losses: number[], rule: StopRule): StopReason | undefined {
  const n = losses.length;
  if (n === 0) return undefined;
  if (!Number.isFinite(losses[n - 1])) return 'diverged';
  if (losses[n - 1] <= rule.targetLoss) return 'target';
  if (rule.patience > 0 && n > rule.patience) {
    const before = Math.min(...losses.slice(0, n - rule.patience));
    const recent = Math.min(...losses.slice(n - rule.patience));
    if (recent > before * (1 - rule.minImprovement)) return 'plateau';
  }
  if (n >= rule.maxEpochs) return 'max-epochs';
  return undefined;
}

/** The first epoch (1-based) whose training loss is below `threshold`, or null when none is. */
export function epochsTo(losses: number[], threshold: number): number | null {
  const i = losses.findIndex((l) => l < threshold);
  return i < 0 ? null : i + 1;
}

/** "3 epochs", "1 epoch". */
export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Training accuracy at most 1.5x chance: the network did not learn (a flat loss there is not convergence). */
export function atChance(finalAccuracy: number, classes: number): boolean {
  return Number.isFinite(finalAccuracy) && classes > 1 && finalAccuracy <= 1.5 / classes;
}

/**
 * The epoch a run converged at, or null when it did not: only a run that stopped on its own
 * (target or plateau) and learned something (not at chance) converged; one stopped at the
 * cap had not converged (its curve may still fall), and a flat curve at chance is not convergence.
 */
export function convergedAt(losses: number[], stopped: StopReason | undefined, chance: boolean): number | null {
  return (stopped === 'target' || stopped === 'plateau') && !chance ? convergedEpoch(losses) : null;
}

/** Why a verdict decided by capped trials is inconclusive: "2 trials reached the cap of 1 epoch". */
export function cappedTrials(trials: number, cap: number): string {
  return `${plural(trials, 'trial')} reached the cap of ${plural(cap, 'epoch')}`;
}

/** The first epoch (1-based) whose training loss is within `factor` of the run's final loss: when its curve flattened out. */
export function convergedEpoch(losses: number[], factor = 1.05): number | null {
  if (!losses.length || !Number.isFinite(losses[losses.length - 1])) return null;
  const final = losses[losses.length - 1];
  return losses.findIndex((l) => l <= final * factor) + 1;
}

export interface ClaimThresholds {
  /** A training loss below this is "low" (the paper's plain 10/20 reached < 1e-4 on 60,000 digits). */
  low: number;
  /** Plain 50/100 "degrade": their best final loss is at least this many times the best shallow (<= 20 layers) plain network's. */
  degrade: number;
  /** Highway at the deepest depth ends at least this many times lower than plain (the paper: "more than 2 orders of magnitude"). */
  ratio: number;
}

export const DEFAULT_CLAIMS: ClaimThresholds = { low: 1e-2, degrade: 10, ratio: 100 };

export type ClaimStatus = 'holds' | 'does not hold' | 'inconclusive' | 'not checked';

export interface Claim {
  id: 'low-loss' | 'plain-degrades' | 'ratio' | 'faster';
  claim: string;
  status: ClaimStatus;
  /** The numbers behind the verdict, in words. */
  detail: string;
  /** Why it is inconclusive: "2 trials reached the cap of 2 epochs". */
  why?: string;
}

/** What the claims read of a network's best run. */
export interface ClaimRow {
  kind: 'plain' | 'highway';
  depth: number;
  finalLoss: number;
  /** Training loss after each epoch, in order. */
  losses: number[];
  /** Why its run stopped: one stopped at the cap ('max-epochs') had not converged. */
  stopped?: StopReason;
}

export const fmt = (x: number) => (Number.isFinite(x) ? x.toExponential(2) : String(x));

/**
 * Figure 1's claims, checked on the best run of each network. Shallow means at most 20
 * layers, deep at least 50; a claim whose networks are missing is "not checked".
 * "Converges faster" compares, at each depth, the epochs the two best runs take to reach
 * the loss level both reach (the higher of their final losses); a tie is not faster.
 * A verdict that more epochs of a run stopped at the cap could overturn is inconclusive
 * (its curve had not converged), never "does not hold".
 */
export function evaluateClaims(best: ClaimRow[], t: ClaimThresholds = DEFAULT_CLAIMS): Claim[] {
  const get = (kind: string, depth: number) => best.find((r) => r.kind === kind && r.depth === depth);
  const depths = [...new Set(best.map((r) => r.depth))].sort((a, b) => a - b);
  const net = (r: ClaimRow) => `${r.kind}-${r.depth}`;
  const claims: Claim[] = [];
  // the verdict stands unless one of `open`, the runs whose further fall could overturn it, stopped at the cap
  const push = (c: Claim, open: ClaimRow[]) => {
    const capped = [...new Set(open)].filter((r) => r.stopped === 'max-epochs');
    if (c.status === 'not checked' || !capped.length) return claims.push(c);
    const cap = Math.max(...capped.map((r) => r.losses.length));
    return claims.push({ ...c, status: 'inconclusive', why: `${cappedTrials(capped.length, cap)} (${capped.map(net).join(', ')}) before converging: more epochs could change it` });
  };

  const lowNets = best.filter((r) => (r.kind === 'plain' && r.depth <= 20) || r.kind === 'highway').sort((a, b) => a.depth - b.depth || a.kind.localeCompare(b.kind));
  const notLow = lowNets.filter((r) => !(r.finalLoss < t.low));
  push({
    id: 'low-loss',
    claim: `plain networks of at most 20 layers and highway networks at every depth reach a low training loss (< ${t.low})`,
    status: lowNets.length === 0 ? 'not checked' : notLow.length ? 'does not hold' : 'holds',
    detail: lowNets.length === 0 ? 'no such network in the sweep' : `${lowNets.map((r) => `${net(r)} ${fmt(r.finalLoss)}`).join(', ')}${notLow.length ? `; not low: ${notLow.map(net).join(', ')}` : ''}`,
  }, notLow);

  const shallow = best.filter((r) => r.kind === 'plain' && r.depth <= 20 && Number.isFinite(r.finalLoss));
  const deep = best.filter((r) => r.kind === 'plain' && r.depth >= 50).sort((a, b) => a.depth - b.depth);
  if (!shallow.length || !deep.length) {
    claims.push({ id: 'plain-degrades', claim: `plain networks of 50 layers or more degrade (final loss at least ${t.degrade}x the best plain network of at most 20 layers)`, status: 'not checked', detail: 'needs plain networks of at most 20 and of at least 50 layers' });
  } else {
    const ref = shallow.reduce((a, b) => (b.finalLoss < a.finalLoss ? b : a));
    const factors = deep.map((r) => ({ r, f: r.finalLoss / ref.finalLoss }));
    const ok = factors.every(({ f }) => f >= t.degrade);
    // holding, a deep network still falling could end closer; failing, the reference could end lower
    push({
      id: 'plain-degrades',
      claim: `plain networks of 50 layers or more degrade (final loss at least ${t.degrade}x that of ${net(ref)}, the best shallow plain network)`,
      status: ok ? 'holds' : 'does not hold',
      detail: `${net(ref)} ${fmt(ref.finalLoss)}; ${factors.map(({ r, f }) => `${net(r)} ${fmt(r.finalLoss)} (${f.toPrecision(3)}x)`).join(', ')}`,
    }, ok ? deep : [ref]);
  }

  const both = depths.filter((d) => get('plain', d) && get('highway', d));
  const deepest = both[both.length - 1];
  if (deepest === undefined) {
    claims.push({ id: 'ratio', claim: `highway ends at least ${t.ratio}x lower than plain at the deepest depth`, status: 'not checked', detail: 'needs both kinds at one depth' });
  } else {
    const p = get('plain', deepest)!;
    const h = get('highway', deepest)!;
    const ratio = p.finalLoss / h.finalLoss;
    // holding, plain could end lower; failing, highway could
    push({
      id: 'ratio',
      claim: `highway-${deepest} ends at least ${t.ratio}x lower in training loss than plain-${deepest}`,
      status: ratio >= t.ratio ? 'holds' : 'does not hold',
      detail: `plain-${deepest} ${fmt(p.finalLoss)} / highway-${deepest} ${fmt(h.finalLoss)} = ${ratio.toPrecision(3)}x`,
    }, ratio >= t.ratio ? [p] : [h]);
  }

  if (!both.length) {
    claims.push({ id: 'faster', claim: `highway converges in fewer epochs than plain at equal depth`, status: 'not checked', detail: 'needs both kinds at one depth' });
  } else {
    const ep = (e: number) => `${e} epoch${e === 1 ? '' : 's'}`;
    const per = both.map((d) => {
      const p = get('plain', d)!;
      const h = get('highway', d)!;
      const level = Math.max(p.finalLoss, h.finalLoss);
      const eh = h.losses.findIndex((l) => l <= level) + 1;
      const epl = p.losses.findIndex((l) => l <= level) + 1;
      return { d, faster: eh > 0 && eh < epl, text: `depth ${d}: to ${fmt(level)}, highway ${ep(eh)}, plain ${ep(epl)}` };
    });
    const fails = per.filter((x) => !x.faster);
    // the level both reach moves with either run's fall
    push({
      id: 'faster',
      claim: 'highway converges in fewer epochs than plain at equal depth (epochs to the training loss both reach: the higher of the two final losses)',
      status: fails.length ? 'does not hold' : 'holds',
      detail: `${per.map((x) => x.text).join('; ')}${fails.length ? `; not faster at depth ${fails.map((x) => x.d).join(', ')}` : ''}`,
    }, both.flatMap((d) => [get('plain', d)!, get('highway', d)!]));
  }
  return claims;
}


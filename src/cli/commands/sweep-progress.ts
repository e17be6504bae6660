// What the sweep commands show of time: both the paper sweep and a sweep file print it.
import cliProgress from 'cli-progress';

/** Seconds as '42s', '3m05s', '1h02m'; '?' when unknown. */
export function duration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** What a sweep reports after each trial (the paper sweep's and a sweep file's progress alike). */
export interface TrialsProgress {
  done: number;
  total: number;
  elapsed: number;
  eta?: number;
  best: Record<string, number>;
  last?: unknown;
  reused?: boolean;
}

/**
 * Progress over a whole sweep: a bar on a terminal (trials, ETA, the best of each group),
 * otherwise a line after each trial trained here; `log` writes above the bar.
 */
export function sweepProgress(tty: boolean, bestText: (best: Record<string, number>) => string) {
  const bar = tty ? new cliProgress.SingleBar({ format: '{bar} {value}/{total} trials | ETA {etaText} | best {bestText}', hideCursor: true, clearOnComplete: true, stream: process.stderr, linewrap: false }, cliProgress.Presets.shades_classic) : undefined;
  let started = false;
  return {
    // above the bar: clear its line, write, draw it again below
    log(s: string): void {
      process.stderr.write(bar && started ? `\r\x1b[2K${s}\n` : `${s}\n`);
      if (bar && started) bar.render();
    },
    onProgress(p: TrialsProgress): void {
      const etaText = duration(p.eta);
      if (bar) {
        if (!started) {
          bar.start(p.total, p.done, { etaText, bestText: bestText(p.best) });
          started = true;
        } else bar.update(p.done, { etaText, bestText: bestText(p.best) });
      } else if (p.last && !p.reused) process.stderr.write(`[${p.done}/${p.total} trials, ${duration(p.elapsed)} elapsed, ETA ${etaText}] best so far: ${bestText(p.best)}\n`);
    },
    stop(): void {
      if (bar && started) bar.stop();
    },
  };
}

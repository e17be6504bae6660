// A real `hwy sweep` (tfjs, a tiny MLP, two trials) trained beside a running `hwy studio`:
// over one event stream, each trial's run shows training with its epochs coming in, the
// sweep's row fills in trial by trial, and its page then has both trials and its figures.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';
import { startStudio } from './fixture.js';
import { openStream } from './stream.js';

// batch 20: an epoch of 450 small steps, long enough to be seen training on a fast machine
const SWEEP = `let width = 8

network tiny {
  input 28x28x1
  flatten
  dense width relu
  dense 10 softmax
}

train {
  lr 0.05
  batch 20
  epochs 2
}

sweep widths {
  grid width [4, 8]
  trials 1
  seeds 1
  objective val_loss min final
  stop epochs=2 patience=1
}
`;

describe('hwy studio beside a real hwy sweep', () => {
  it('shows the trials as they train and fills the sweep in live', async () => {
    const work = mkdtempSync(join(tmpdir(), 'hwy-studio-sweep-'));
    const studio = await startStudio([work, '--port', '0']);
    const stream = await openStream(studio.port);
    try {
      await stream.next((e) => e.event === 'runs' && e.data.full === true);
      writeFileSync(join(work, 'widths.hwy'), SWEEP);
      const sweep = spawn(process.execPath, [join(ROOT, 'bin/hwy.js'), 'sweep', join(work, 'widths.hwy'), '--out', join(work, 'sweep'), '--no-progress'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      sweep.stderr.on('data', (b) => (err += b));
      const code = await new Promise<number | null>((ok) => sweep.on('exit', ok));
      const exitedAt = Date.now();
      expect(code, err).toBe(0);
      await new Promise((ok) => setTimeout(ok, 1500));

      // each trial's run: seen training, with epochs coming in, before the sweep ended
      for (const w of [4, 8]) {
        const id = `0/sweep/runs/tiny-width${w}-t1-s1`;
        const seen = stream.events.filter((e) => e.event === 'runs' && e.at < exitedAt).flatMap((e) => e.data.changed!.filter((r) => r.id === id).map((r) => `${r.status}:${r.epochs}`));
        expect(seen.filter((s) => s.startsWith('training:')), `${id}: ${seen.join(' ')}`).toContain('training:1');
        expect(seen.at(-1), `${id}: ${seen.join(' ')}`).toMatch(/^(training:2|done:2)$/);
      }
      // the sweep's row filled in one trial at a time while it ran, and ends complete
      const finished = stream.events.filter((e) => e.event === 'sweeps').map((e) => e.data.sweeps!.find((s) => s.id === '0/sweep')?.finished);
      const during = stream.events.filter((e) => e.event === 'sweeps' && e.at < exitedAt).map((e) => e.data.sweeps!.find((s) => s.id === '0/sweep')?.finished);
      expect(during, JSON.stringify(finished)).toContain(1);
      expect(finished.at(-1)).toBe(2);
      const d = (await (await fetch(`${studio.url}api/sweeps/${encodeURIComponent('0/sweep')}`)).json()) as { summary: { complete: boolean; trials: { name: string }[] }; figures: { name: string; spec?: unknown }[] };
      expect(d.summary.complete).toBe(true);
      expect(d.summary.trials.map((t) => t.name)).toEqual(['tiny-width4-t1', 'tiny-width8-t1']);
      expect(d.figures.map((f) => f.name)).toContain('curves');
      expect(d.figures.every((f) => f.spec)).toBe(true);
    } finally {
      stream.close();
      expect(await studio.stop()).toBe(0);
      rmSync(work, { recursive: true, force: true });
    }
  });
});

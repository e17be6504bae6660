// hwy studio's event stream (src/studio/live.ts), its bounds, a sweep's page data and
// --open, against the server in this process (to set its bounds) and the command.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ROOT } from '../helpers.js';
import { createStudioServer } from '../../src/studio/server.js';
import { openCommand } from '../../src/studio/open.js';
import { startStudio, trainTiny } from './fixture.js';
import { openStream, type Event } from './stream.js';

const changedRow = (id: string, pred: (r: NonNullable<Event['data']['changed']>[number]) => boolean) => (e: Event) => e.event === 'runs' && !!e.data.changed?.some((r) => r.id === id && pred(r));

describe('hwy studio: the event stream', () => {
  let work: string;
  let root: string;
  let server: ReturnType<typeof createStudioServer>;
  let port: number;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'hwy-studio-live-'));
    root = join(work, 'root');
    trainTiny(work, join(root, 'runs/a'));
    for (const n of ['b', 'c', 'doomed']) cpSync(join(root, 'runs/a'), join(root, `runs/${n}`), { recursive: true });
    // a sweep with a saved figure, a figure that is a link (not followed) and a damaged one
    cpSync(join(root, 'runs/a'), join(root, 'sweep/runs/t1-s1'), { recursive: true });
    writeFileSync(join(root, 'sweep/sweep.json'), JSON.stringify({ sweep: 'widths', engine: 'tfjs', complete: false, finished: 1, total: 2, verdicts: ['Partial: 1 of 2 trials finished.'], trials: [{ name: 't1', group: 'g', params: { 'train.lr': 0.05 }, status: 'done', objective: 0.5, std: 0, runs: [{ seed: 1, epochs: 1, run: 'runs/t1-s1', status: 'done' }] }] }));
    writeFileSync(join(root, 'sweep/objective.vl.json'), JSON.stringify({ data: { values: [{ x: 1, y: 2 }] }, mark: 'point', encoding: { x: { field: 'x', type: 'quantitative' } } }));
    writeFileSync(join(root, 'sweep/broken.vl.json'), '{"mark": ');
    writeFileSync(join(work, 'outside.vl.json'), JSON.stringify({ secret: 'not for the server' }));
    symlinkSync(join(work, 'outside.vl.json'), join(root, 'sweep/linked.vl.json'));
    // two streams at most; one watcher: the other runs are followed by the rescan
    server = createStudioServer({ roots: [{ given: root, real: root }], appDir: join(ROOT, 'dist/studio'), exposed: false, maxClients: 2, maxWatchers: 1 });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.live.close();
    await new Promise((ok) => server.close(ok));
    rmSync(work, { recursive: true, force: true });
  });

  it('sends every row first, then a new epoch of any run within a second, with watchers on few of them', async () => {
    const s = await openStream(port);
    try {
      expect(s.status).toBe(200);
      const first = await s.next((e) => e.event === 'runs');
      expect(first.data.full).toBe(true);
      expect(first.data.changed!.map((r) => r.id).sort()).toEqual(['0/runs/a', '0/runs/b', '0/runs/c', '0/runs/doomed', '0/sweep/runs/t1-s1']);
      expect((await s.next((e) => e.event === 'sweeps')).data.sweeps).toMatchObject([{ id: '0/sweep', runs: ['0/sweep/runs/t1-s1'], finished: 1 }]);
      // at most one watcher, whatever the number of runs
      expect(server.live.watcherCount).toBeLessThanOrEqual(1);
      const line = JSON.parse(readFileSync(join(root, 'runs/a/metrics.jsonl'), 'utf8').trim());
      for (const id of ['b', 'c']) {
        const t0 = Date.now();
        appendFileSync(join(root, `runs/${id}/metrics.jsonl`), JSON.stringify({ ...line, epoch: 2, valAccuracy: 0.99 }) + '\n');
        const e = await s.next(changedRow(`0/runs/${id}`, (r) => r.epochs === 2));
        expect(e.data.full).toBe(false);
        expect(e.data.changed!.find((r) => r.id === `0/runs/${id}`)).toMatchObject({ epochs: 2, lastValAccuracy: 0.99 });
        // only what changed is sent
        expect(e.data.changed!.map((r) => r.id)).not.toContain('0/runs/a');
        expect(e.at - t0, `run ${id}`).toBeLessThan(1500);
      }
      // a run whose checkpoint says it diverged shows so
      const statePath = join(root, 'runs/c/model/state.json');
      const st = JSON.parse(readFileSync(statePath, 'utf8'));
      rmSync(statePath);
      writeFileSync(statePath, JSON.stringify({ ...st, status: 'diverged' }));
      await s.next(changedRow('0/runs/c', (r) => r.status === 'diverged'), 3000);
    } finally {
      s.close();
    }
  });

  it('a run deleted while watched is sent as removed, and the server goes on', async () => {
    const s = await openStream(port);
    try {
      await s.next((e) => e.event === 'runs');
      rmSync(join(root, 'runs/doomed'), { recursive: true, force: true });
      const e = await s.next((x) => x.event === 'runs' && !!x.data.removed?.includes('0/runs/doomed'), 4000);
      expect(e.data.full).toBe(false);
      const runs = (await (await fetch(`http://127.0.0.1:${port}/api/runs`)).json()) as { runs: { id: string }[] };
      expect(runs.runs.map((r) => r.id)).not.toContain('0/runs/doomed');
      // and a run made after it is found by the rescan
      cpSync(join(root, 'runs/a'), join(root, 'runs/new'), { recursive: true });
      await s.next(changedRow('0/runs/new', () => true), 4000);
    } finally {
      s.close();
    }
  });

  it('holds at most maxClients streams: one more is a 503, and a closed one frees its place', async () => {
    const a = await openStream(port);
    const b = await openStream(port);
    await a.next((e) => e.event === 'runs');
    await b.next((e) => e.event === 'runs');
    const c = await openStream(port);
    expect(c.status).toBe(503);
    c.close();
    a.close();
    await expect.poll(() => server.live.clientCount).toBe(1);
    const d = await openStream(port);
    expect(d.status).toBe(200);
    b.close();
    d.close();
    // no page open: no watcher left
    await expect.poll(() => server.live.watcherCount).toBe(0);
  });

  it("serves a sweep's page: its trials and its saved figures, a linked figure not followed", async () => {
    const r = await fetch(`http://127.0.0.1:${port}/api/sweeps/${encodeURIComponent('0/sweep')}`);
    expect(r.status).toBe(200);
    const d = (await r.json()) as { row: { name: string }; summary: { trials: { name: string }[] }; figures: { name: string; spec?: { mark?: string }; error?: string }[] };
    expect(d.row.name).toBe('widths');
    expect(d.summary.trials.map((t) => t.name)).toEqual(['t1']);
    expect(d.figures.map((f) => f.name)).toEqual(['broken', 'objective']);
    expect(d.figures[1].spec?.mark).toBe('point');
    expect(d.figures[0].error).toBeDefined();
    expect(JSON.stringify(d)).not.toContain('not for the server');
    expect((await fetch(`http://127.0.0.1:${port}/api/sweeps/${encodeURIComponent('0/nope')}`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/api/sweeps/%E0%A4%A`)).status).toBe(400);
  });
});

describe('hwy studio --open', () => {
  it('runs the system opener for the address: xdg-open, open, start; nothing without a display', () => {
    const url = 'http://127.0.0.1:4321/';
    expect(openCommand(url, 'linux', { DISPLAY: ':0' })).toEqual({ cmd: 'xdg-open', args: [url] });
    expect(openCommand(url, 'linux', { WAYLAND_DISPLAY: 'wayland-0' })).toEqual({ cmd: 'xdg-open', args: [url] });
    expect(openCommand(url, 'darwin', {})).toEqual({ cmd: 'open', args: [url] });
    expect(openCommand(url, 'win32', {})).toEqual({ cmd: 'cmd', args: ['/c', 'start', '""', url] });
    expect(openCommand(url, 'linux', {})).toEqual({ skip: expect.stringContaining('no display') });
  });

  it('is a flag of the command: with no display it says to open the address, and serves on', async () => {
    const work = mkdtempSync(join(tmpdir(), 'hwy-studio-open-'));
    const env = { ...process.env };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    const studio = await startStudio([work, '--port', '0', '--open'], env);
    try {
      await expect.poll(() => studio.stderr()).toContain(`hwy studio: --open: no display (DISPLAY and WAYLAND_DISPLAY are unset): open ${studio.url} yourself`);
      expect((await fetch(`${studio.url}api/runs`)).status).toBe(200);
    } finally {
      expect(await studio.stop()).toBe(0);
      rmSync(work, { recursive: true, force: true });
    }
  });
});

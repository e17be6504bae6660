// `hwy studio` as a server: its API over a tree with a real run, damaged and hostile ones
// beside it, and the guards of a local server (traversal, links out, Host, Origin, methods,
// malformed HTTP).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { ROOT, hwy } from '../helpers.js';
import { SPEC, startStudio, trainTiny, type Studio } from './fixture.js';
import { pythonOrReason } from '../backends/torch/cases.js';

/** A request sent as written: the path not normalised (fetch would resolve `..`), any Host. */
function raw(port: number, path: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (b) => (body += b));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', fail);
    req.end();
  });
}

interface Row {
  id: string;
  dir: string;
  error?: string;
  status?: string;
  network?: string;
  epochs?: number;
  sets: string[];
  [k: string]: unknown;
}

describe('hwy studio: the server', () => {
  let work: string;
  let root: string;
  let studio: Studio;
  const runs = async () => ((await (await fetch(`${studio.url}api/runs`)).json()) as { runs: Row[] }).runs;
  const row = async (dir: string) => (await runs()).find((r) => r.dir === join(root, dir));

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'hwy-studio-'));
    root = join(work, 'root');
    trainTiny(work, join(root, 'runs/a'));
    // damaged runs: half-written run.json, a huge one (sparse: nothing is allocated), run.json a link out
    mkdirSync(join(root, 'runs/half'));
    writeFileSync(join(root, 'runs/half/run.json'), '{"hwyVersion": "0.1.0", "spec');
    mkdirSync(join(root, 'runs/huge'));
    writeFileSync(join(root, 'runs/huge/run.json'), '');
    truncateSync(join(root, 'runs/huge/run.json'), 64 * 2 ** 20);
    // outside the root: a run and a secret, reached only through links
    cpSync(join(root, 'runs/a'), join(work, 'outside/run'), { recursive: true });
    writeFileSync(join(work, 'outside/secret.txt'), 'not for the server');
    symlinkSync(join(work, 'outside'), join(root, 'link-out'));
    mkdirSync(join(root, 'runs/linked'));
    symlinkSync(join(work, 'outside/run/run.json'), join(root, 'runs/linked/run.json'));
    // a sweep directory holding a run; a run in a dot-directory and in node_modules (skipped)
    cpSync(join(root, 'runs/a'), join(root, 'sweep1/runs/t0-s1'), { recursive: true });
    mkdirSync(join(root, 'sweep1/trials'));
    writeFileSync(join(root, 'sweep1/trials/t0.json'), '{}');
    writeFileSync(join(root, 'sweep1/sweep.json'), JSON.stringify({ sweep: 'depths', engine: 'tfjs', complete: false, finished: 1, total: 4 }));
    cpSync(join(root, 'runs/a'), join(root, '.hidden/run'), { recursive: true });
    cpSync(join(root, 'runs/a'), join(root, 'node_modules/run'), { recursive: true });
    // a long run (5,000 epochs) to be downsampled
    cpSync(join(root, 'runs/a'), join(root, 'runs/long'), { recursive: true });
    const line = JSON.parse(readFileSync(join(root, 'runs/a/metrics.jsonl'), 'utf8').trim());
    writeFileSync(join(root, 'runs/long/metrics.jsonl'), Array.from({ length: 5000 }, (_, i) => JSON.stringify({ ...line, epoch: i + 1, loss: 1 / (i + 1) })).join('\n') + '\n');
    studio = await startStudio([root, '--port', '0']);
  });

  afterAll(async () => {
    if (studio) expect(await studio.stop()).toBe(0); // Ctrl-C ends it cleanly
    rmSync(work, { recursive: true, force: true });
  });

  it('lists the trained run with its settings and results', async () => {
    const a = await row('runs/a');
    expect(a, JSON.stringify(await runs())).toBeDefined();
    expect(a!.error).toBeUndefined();
    const metrics = readFileSync(join(root, 'runs/a/metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(a).toMatchObject({ network: 'tiny', engine: 'tfjs', status: 'done', epochs: 1, epochsPlanned: 1, optimizer: 'sgd', lr: 0.05, batch: 100, seed: 7, sets: expect.arrayContaining(['train.seed=7']) });
    expect(a!.lastValAccuracy).toBe(metrics[0].valAccuracy);
    expect(a!.bestValLoss).toBe(metrics[0].valLoss);
    expect(a!.specFile).toBe(join(work, 'tiny.hwy'));
  });

  it('gives each damaged run an error row and goes on', async () => {
    expect((await row('runs/half'))?.error).toMatch(/run\.json is not valid JSON/);
    expect((await row('runs/huge'))?.error).toMatch(/run\.json' is 64\.0 MiB; a run record may be at most 4\.0 MiB/);
    expect((await row('runs/linked'))?.error).toMatch(/run\.json is a symbolic link: not followed/);
    expect((await row('runs/a'))?.error).toBeUndefined();
  });

  it('never goes outside the given directory: links leading out, dot-directories and node_modules are not walked', async () => {
    const dirs = (await runs()).map((r) => r.dir);
    expect(dirs.some((d) => d.includes('link-out') || d.includes('.hidden') || d.includes('node_modules'))).toBe(false);
    expect(JSON.stringify(await runs())).not.toContain('outside');
    for (const id of ['0/link-out/run', '0/../outside/run', `${join(work, 'outside/run')}`]) expect((await raw(studio.port, `/api/runs/${encodeURIComponent(id)}/metrics`)).status).toBe(404);
  });

  it('refuses path traversal, encoded or not, and absolute paths', async () => {
    for (const p of ['/static/../../etc/passwd', '/static/%2e%2e/%2e%2e/etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/static/..%2f..%2fetc%2fpasswd', '//etc/passwd', '/static//etc/passwd', `/static/${join(work, 'outside/secret.txt')}`, '/link-out/secret.txt', '/static/app.js/../../../package.json']) {
      const r = await raw(studio.port, p);
      expect([403, 404], p).toContain(r.status);
      expect(r.body).not.toContain('root:');
      expect(r.body).not.toContain('not for the server');
    }
  });

  it('checks Host and Origin: DNS rebinding and other sites are refused', async () => {
    expect((await raw(studio.port, '/api/runs', { headers: { host: 'evil.example:80' } })).status).toBe(403);
    expect((await raw(studio.port, '/api/runs', { headers: { host: `evil.example:${studio.port}` } })).status).toBe(403);
    expect((await raw(studio.port, '/', { headers: { host: `localhost:${studio.port}` } })).status).toBe(200);
    expect((await raw(studio.port, '/api/runs', { headers: { origin: 'http://evil.example' } })).status).toBe(403);
    expect((await raw(studio.port, '/api/runs', { headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
    expect((await raw(studio.port, '/api/runs', { headers: { origin: `http://127.0.0.1:${studio.port}` } })).status).toBe(200);
  });

  it('is read-only: anything but GET and HEAD is 405', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const r = await raw(studio.port, '/api/runs', { method });
      expect(r.status, method).toBe(405);
      expect(r.headers.allow).toBe('GET, HEAD');
    }
    const head = await raw(studio.port, '/api/runs', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('serves the page and its own files only, offline, with a strict content security policy', async () => {
    const page = await raw(studio.port, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'.*connect-src 'self'/);
    expect(page.body).toContain('<script src="/static/app.js"');
    // nothing is loaded from elsewhere
    expect(page.body).not.toMatch(/https?:\/\//);
    const js = await raw(studio.port, '/static/app.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    // the only URLs in it are XML namespace names (SVG, xlink, xmlns: vega's SVG renderer), which nothing loads
    expect(js.body).not.toMatch(/https?:\/\/(?!www\.w3\.org\/(?:2000\/svg|1999\/xlink|2000\/xmlns\/))/);
    expect((await raw(studio.port, '/static/style.css')).status).toBe(200);
    expect((await raw(studio.port, '/static/app.js.map')).status).toBe(404);
  });

  it('malformed HTTP gets a 400 and the server goes on', async () => {
    const answer = await new Promise<string>((ok, fail) => {
      const s = connect(studio.port, '127.0.0.1', () => s.write('NOT HTTP AT ALL\r\n\r\n'));
      let got = '';
      s.on('data', (b) => (got += b));
      s.on('end', () => ok(got));
      s.on('error', fail);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect((await raw(studio.port, '/api/runs')).status).toBe(200);
  });

  it('lists the sweep with its progress and its runs', async () => {
    const { sweeps } = (await (await fetch(`${studio.url}api/sweeps`)).json()) as { sweeps: { dir: string; name: string; finished: number; total: number; trials: number; runs: string[] }[] };
    expect(sweeps).toHaveLength(1);
    expect(sweeps[0]).toMatchObject({ dir: join(root, 'sweep1'), name: 'depths', finished: 1, total: 4, trials: 1, runs: ['0/sweep1/runs/t0-s1'] });
    expect((await row('sweep1/runs/t0-s1'))?.status).toBe('done');
  });

  it("serves a run's curves, downsampled past 2,000 epochs and saying so", async () => {
    const a = await (await fetch(`${studio.url}api/runs/${encodeURIComponent('0/runs/a')}/metrics`)).json();
    expect(a).toMatchObject({ total: 1, downsampled: false });
    expect(a.lines[0].epoch).toBe(1);
    const long = await (await fetch(`${studio.url}api/runs/${encodeURIComponent('0/runs/long')}/metrics`)).json();
    expect(long).toMatchObject({ total: 5000, downsampled: true, stride: 3 });
    expect(long.lines.length).toBeLessThanOrEqual(2001);
    expect(long.lines.at(-1).epoch).toBe(5000);
  });

  it('follows a run that is training: its lock makes it training, a new epoch shows within a second', async () => {
    cpSync(join(root, 'runs/a'), join(root, 'runs/live'), { recursive: true });
    mkdirSync(join(root, 'runs/live/.hwy.lock'));
    writeFileSync(join(root, 'runs/live/.hwy.lock.json'), JSON.stringify({ pid: process.pid, host: hostname(), command: 'test', startedAt: new Date().toISOString() }));
    await new Promise((ok) => setTimeout(ok, 700));
    expect(await row('runs/live')).toMatchObject({ status: 'training', epochs: 1 });
    const line = JSON.parse(readFileSync(join(root, 'runs/a/metrics.jsonl'), 'utf8').trim());
    appendFileSync(join(root, 'runs/live/metrics.jsonl'), JSON.stringify({ ...line, epoch: 2, valAccuracy: 0.99 }) + '\n');
    await new Promise((ok) => setTimeout(ok, 1000));
    expect(await row('runs/live')).toMatchObject({ epochs: 2, lastValAccuracy: 0.99, bestValAccuracy: 0.99 });
    // a torn last line (an append in progress) is left out, not an error
    appendFileSync(join(root, 'runs/live/metrics.jsonl'), '{"epoch": 3, "lo');
    await new Promise((ok) => setTimeout(ok, 1000));
    expect(await row('runs/live')).toMatchObject({ epochs: 2 });
    // the holder gone: what its checkpoint says again
    rmSync(join(root, 'runs/live/.hwy.lock'), { recursive: true });
    await new Promise((ok) => setTimeout(ok, 1000));
    expect((await row('runs/live'))?.status).toBe('done');
    // a checkpoint still marked running that nobody holds: the process was killed
    const statePath = join(root, 'runs/live/model/state.json');
    const st = JSON.parse(readFileSync(statePath, 'utf8'));
    rmSync(statePath); // a copy of its own, not a link shared with best/
    writeFileSync(statePath, JSON.stringify({ ...st, status: 'running' }));
    await new Promise((ok) => setTimeout(ok, 1000));
    expect((await row('runs/live'))?.status).toBe('interrupted');
    rmSync(statePath);
    writeFileSync(statePath, JSON.stringify({ ...st, status: 'diverged' }));
    await new Promise((ok) => setTimeout(ok, 1000));
    expect((await row('runs/live'))?.status).toBe('diverged');
  });
});

const { python, reason } = pythonOrReason();
// the studio reads a run's files, whichever engine writes them: both are followed the same way
const ENGINES = [
  // batch 10: an epoch of 810 small steps lasts longer than the studio's scan (0.5 s) and the poll, on a fast idle machine too
  { engine: 'tfjs', batch: '10', skip: '' },
  // torch steps are faster: batch 2 keeps an epoch long enough to be seen
  { engine: 'torch', batch: '2', skip: python ? '' : reason },
];

describe.each(ENGINES)('hwy studio: a run training now on $engine', ({ engine, batch, skip }) => {
  it.skipIf(skip !== '')(`shows it training, its epochs as they finish, then done${skip ? `: SKIPPED, ${skip}` : ''}`, async () => {
    const work = mkdtempSync(join(tmpdir(), 'hwy-studio-live-'));
    const studio = await startStudio([work, '--port', '0', '--host', '127.0.0.1']);
    try {
      expect(studio.stderr()).toContain(`listening on 127.0.0.1:${studio.port}: this machine only`);
      // --host 127.0.0.1 is still loopback: a foreign Host is refused
      expect((await raw(studio.port, '/api/runs', { headers: { host: `evil.example:${studio.port}` } })).status).toBe(403);
      writeFileSync(join(work, 'tiny.hwy'), SPEC);
      const train = spawn(process.execPath, [join(ROOT, 'bin/hwy.js'), 'train', join(work, 'tiny.hwy'), '--out', join(work, 'run'), '--engine', engine, '--epochs', '4', '--batch', batch], { stdio: 'ignore' });
      const exited = new Promise<number | null>((ok) => train.on('exit', (code) => ok(code)));
      let done = false;
      void exited.then(() => (done = true));
      const seen: string[] = [];
      while (!done) {
        const r = ((await (await fetch(`${studio.url}api/runs`)).json()) as { runs: Row[] }).runs[0];
        if (r && !r.error) seen.push(`${r.status}:${r.epochs}`);
        await new Promise((ok) => setTimeout(ok, 150));
      }
      expect(await exited).toBe(0);
      // training, with epochs coming in one by one (each seen while the run was still training)
      const training = [...new Set(seen.filter((s) => s.startsWith('training:')))];
      expect(training.length, seen.join(' ')).toBeGreaterThanOrEqual(2);
      expect(training.map((s) => Number(s.split(':')[1]))).toEqual([...training.map((s) => Number(s.split(":")[1]))].sort((a, b) => a - b));
      await new Promise((ok) => setTimeout(ok, 700));
      const after = ((await (await fetch(`${studio.url}api/runs`)).json()) as { runs: Row[] }).runs[0];
      expect(after).toMatchObject({ status: 'done', epochs: 4, engine });
    } finally {
      expect(await studio.stop()).toBe(0);
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe('hwy studio: usage', () => {
  it('refuses a missing directory, a file, a bad port; a taken --port is named', async () => {
    const work = mkdtempSync(join(tmpdir(), 'hwy-studio-usage-'));
    try {
      const missing = hwy(['studio', join(work, 'nope')]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain(`cannot read '${join(work, 'nope')}': no such file or directory`);
      writeFileSync(join(work, 'f'), '');
      expect(hwy(['studio', join(work, 'f')]).stderr).toContain('is not a directory');
      const port = hwy(['studio', work, '--port', '70000']);
      expect(port.code).toBe(2);
      expect(port.stderr).toContain('--port 70000: expected a port number');
      const first = await startStudio([work, '--port', '0']);
      try {
        const taken = hwy(['studio', work, '--port', String(first.port)]);
        expect(taken.code).toBe(2);
        expect(taken.stderr).toContain(`--port ${first.port}: the port is in use`);
        for (const r of [missing, port, taken]) expect(r.stderr).not.toMatch(/\n\s+at /);
      } finally {
        expect(await first.stop()).toBe(0);
      }
      // without --port, a taken 4321 is said in one line, with the port used instead
      const holder = createServer();
      const held = await new Promise<boolean>((ok) => {
        holder.once('error', () => ok(false)); // taken already (another studio): taken all the same
        holder.listen(4321, '127.0.0.1', () => ok(true));
      });
      const moved = await startStudio([work]);
      try {
        expect(moved.port).not.toBe(4321);
        for (let i = 0; i < 50 && !moved.stderr().includes('Ctrl-C'); i++) await new Promise((r) => setTimeout(r, 100));
        expect(moved.stderr().split('\n').filter((l) => l.includes('port 4321'))).toEqual([`hwy studio: port 4321 is taken, so it listens on port ${moved.port} (--port to choose one)`]);
      } finally {
        expect(await moved.stop()).toBe(0);
        if (held) holder.close();
      }
      const help = hwy(['studio', '--help']);
      expect(help.stdout).toContain('npx hwy studio runs --port 8080');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

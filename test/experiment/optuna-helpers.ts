// Shared by the Optuna search tests: the Python that has Optuna (or why the tests skip), a
// small plan, reading a study back through Optuna itself, and a throwaway PostgreSQL server.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExperimentPlan } from '../../src/ir/experiment.js';

/** The interpreter the search would pick (HWY_PYTHON, python3, /usr/bin/python3: the first that imports optuna), or why none. */
export function optunaPython(): { python: string | null; reason: string } {
  const env = process.env.HWY_PYTHON?.trim();
  const tried: string[] = [];
  for (const c of env ? [env] : ['python3', '/usr/bin/python3']) {
    const r = spawnSync(c, ['-c', 'import optuna, sklearn'], { encoding: 'utf8', timeout: 60_000 });
    if (r.status === 0) return { python: c, reason: '' };
    tried.push(`${c}: ${r.error ? 'not found' : 'no optuna or sklearn'}`);
  }
  const reason = `no Python with Optuna and scikit-learn (${tried.join('; ')}); run scripts/install-optuna.sh`;
  // In CI Optuna is installed (scripts/install-optuna.sh): there its absence fails the tests.
  if (!process.env.CI) console.warn(`Optuna tests skipped: ${reason}`);
  return { python: null, reason };
}

export function toyPlan(over: Partial<ExperimentPlan> = {}): ExperimentPlan {
  return {
    name: 'toy',
    file: '/sweeps/toy.hwy',
    networks: [{ label: 'plain', specFile: '/sweeps/mlp.hwy', network: 'plain' }],
    grid: [{ name: 'depth', target: 'constant', values: [10, 20] }],
    space: [
      { name: 'lr', target: 'setting', dist: { type: 'loguniform', low: 1e-3, high: 1e-1 } },
      { name: 'x', target: 'constant', dist: { type: 'uniform', low: 0, high: 1 } },
      { name: 'width', target: 'constant', dist: { type: 'int', low: 8, high: 64, step: 8 } },
      { name: 'activation', target: 'constant', dist: { type: 'choice', choices: ['relu', 'tanh'] } },
    ],
    trials: 4,
    seeds: [1],
    objective: { metric: 'val_loss', direction: 'minimize', reduce: 'final' },
    stop: { maxEpochs: 5 },
    pruner: 'none',
    sampler: 'tpe',
    seed: 7,
    ...over,
  };
}

export interface StoredTrial {
  study: string;
  number: number;
  id: number;
  state: 'COMPLETE' | 'PRUNED' | 'FAIL' | 'RUNNING' | 'WAITING';
  value: number | null;
  params: Record<string, number | string>;
  user_attrs: Record<string, unknown>;
  intermediate: Record<string, number>;
}

/** Every trial of the studies named `stem[…]` in a storage, read back through Optuna (what another tool would see). */
export function readStudies(python: string, storage: string, stem: string): StoredTrial[] {
  const script = `
import json, sys, optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
storage = optuna.storages.RDBStorage(sys.argv[1])
out = []
for s in storage.get_all_studies():
    if not s.study_name.startswith(sys.argv[2] + '['):
        continue
    for t in storage.get_all_trials(s._study_id):
        out.append({'study': s.study_name, 'number': t.number, 'id': t._trial_id, 'state': t.state.name, 'value': t.value,
                    'params': t.params, 'user_attrs': t.user_attrs, 'intermediate': {str(k): v for k, v in t.intermediate_values.items()}})
print(json.dumps(out))
`;
  const r = spawnSync(python, ['-c', script, storage, stem], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`reading ${storage}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** A port nothing listens on (just closed by us). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export const PG_BIN = '/usr/lib/postgresql/15/bin';

export interface Postgres {
  port: number;
  /** The URL of the test's password user over TCP (127.0.0.1). */
  url(password?: string): string;
  stop(): Promise<void>;
}

/**
 * A PostgreSQL 15 server of the test's own: initdb in a temp dir owned by `nobody` (the
 * server refuses to run as root), listening on 127.0.0.1 at a free port and on a unix socket
 * in that dir, with a password user `hwy` (scram-sha-256 over TCP). Stopped by its own PID.
 */
export async function startPostgres(python: string): Promise<Postgres> {
  const NOBODY = 65534;
  const dir = mkdtempSync(join(tmpdir(), 'hwy-pg-'));
  chownSync(dir, NOBODY, NOBODY);
  chmodSync(dir, 0o700);
  const data = join(dir, 'data');
  const pw = join(dir, 'admin-pw');
  writeFileSync(pw, 'admin-secret\n');
  chownSync(pw, NOBODY, NOBODY);
  const asNobody = { uid: NOBODY, gid: NOBODY, cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C.UTF-8', HOME: dir } };
  const init = spawnSync(join(PG_BIN, 'initdb'), ['-D', data, '-U', 'admin', '--pwfile', pw, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-sync'], { ...asNobody, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.error}`);
  const port = await freePort();
  const server: ChildProcess = spawn(join(PG_BIN, 'postgres'), ['-D', data, '-k', dir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=50'], { ...asNobody, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  server.stderr!.on('data', (d) => (log = (log + d).slice(-4000)));
  const exited = new Promise<void>((res) => server.once('exit', () => res()));
  const stop = async () => {
    // the server's own PID (spawned directly, no wrapper): SIGINT is PostgreSQL's fast shutdown
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGINT');
    const t = setTimeout(() => server.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
    rmSync(dir, { recursive: true, force: true });
  };
  const setup = `
import sys, time, psycopg2
deadline = time.time() + 30
while True:
    try:
        c = psycopg2.connect(host=sys.argv[1], port=int(sys.argv[2]), user='admin', dbname='postgres')
        break
    except psycopg2.OperationalError:
        if time.time() > deadline: raise
        time.sleep(0.2)
c.autocommit = True
c.cursor().execute("CREATE USER hwy PASSWORD 'hwy-secret'")
c.cursor().execute("CREATE DATABASE hwy OWNER hwy")
`;
  const r = spawnSync(python, ['-c', setup, dir, String(port)], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) {
    await stop();
    throw new Error(`PostgreSQL did not come up: ${r.stderr}\n${log}`);
  }
  if (existsSync(join(data, 'postmaster.pid'))) {
    const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (pid !== server.pid) throw new Error(`postmaster.pid names ${pid}, not the server started (${server.pid})`);
  }
  return { port, url: (password = 'hwy-secret') => `postgresql://hwy:${password}@127.0.0.1:${port}/hwy`, stop };
}

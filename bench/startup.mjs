// Start-up of the compiler commands.
//  - checkSpecsBench: `hwy check specs/` against a bare `node -e ""`, measured in the same
//    run, interleaved; with HWY_BENCH_BASELINE=DIR also another build of hwy (a checkout or
//    an installed package: DIR/bin/hwy.js), to compare a change with what it replaces.
//  - startupBench: `hwy check specs/examples/tiny-mlp.hwy` three ways, against the plain
//    bundle measured in the same run:
//  - plain: bin/hwy.js, the shipped launcher (for check: dist/hwy-core.cjs with its code cache);
//  - js+snapshot: a JavaScript launcher that starts a second node with a V8 startup snapshot
//    of the compiler (bench/launchers/hwy-snapshot.cjs);
//  - sh+snapshot: the shell launcher hwy had before (bench/launchers/hwy-snapshot.sh).
// The snapshot is built here, in a temporary directory, for this Node binary.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const SPEC = ['check', 'specs/examples/tiny-mlp.hwy'];

function buildSnapshot(dir) {
  const entry = join(dir, 'hwy-snapshot.cjs');
  return build({ entryPoints: [join(ROOT, 'src/cli/snapshot-main.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: true, outfile: entry, logLevel: 'warning' }).then(() => {
    const r = spawnSync(process.execPath, ['--snapshot-blob', join(dir, 'hwy.snapshot.blob'), '--build-snapshot', entry], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`building the snapshot failed: ${r.stderr}`);
    writeFileSync(join(dir, 'hwy.snapshot.node'), process.execPath);
  });
}

/** Median milliseconds of each command, the commands interleaved so that they share the machine's noise. */
function interleaved(cases, runs, env) {
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) {
    for (const [name, [cmd, args]] of Object.entries(cases)) {
      const t = process.hrtime.bigint();
      const r = spawnSync(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      if (r.status !== 0) throw new Error(`${name}: ${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
      times[name].push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }
  const median = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}

/** `hwy check specs/` (exit status 0) against bare Node; each row's ratio is to `node -e ""` of the same run. */
export function checkSpecsBench(runs = 20) {
  const check = (root) => [process.execPath, [join(root, 'bin/hwy.js'), 'check', 'specs']];
  // specs/ holds sweeps too, and checking a sweep compiles its networks at every grid point
  // and range end (figure1.hwy: about 80 compiles): a row without them shows what start-up
  // itself costs, apart from that work.
  const sweeps = /^sweep\s/m;
  const networkSpecs = ['specs/paper', 'specs/examples'].flatMap((d) =>
    readdirSync(join(ROOT, d))
      .filter((f) => f.endsWith('.hwy') && !sweeps.test(readFileSync(join(ROOT, d, f), 'utf8')))
      .map((f) => `${d}/${f}`),
  );
  const cases = {
    'node -e ""': [process.execPath, ['-e', '']],
    'hwy check specs/': check(ROOT),
    [`hwy check (the ${networkSpecs.length} specs without a sweep)`]: [process.execPath, [join(ROOT, 'bin/hwy.js'), 'check', ...networkSpecs]],
  };
  const baseline = process.env.HWY_BENCH_BASELINE;
  if (baseline) cases[`hwy check specs/ (${baseline})`] = check(baseline);
  const ms = interleaved(cases, runs, process.env);
  return Object.entries(ms).map(([name, t]) => ({ name, ms: t, ratio: t / ms['node -e ""'] }));
}

export async function startupBench(runs = 20) {
  const dir = mkdtempSync(join(tmpdir(), 'hwy-snapshot-'));
  try {
    await buildSnapshot(dir);
    // The launchers run `node` from PATH: put this one first.
    const env = { ...process.env, HWY_SNAPSHOT_DIR: dir, PATH: `${join(process.execPath, '..')}:${process.env.PATH}` };
    const cases = {
      'node -e ""': [process.execPath, ['-e', '']],
      plain: [process.execPath, [join(ROOT, 'bin/hwy.js'), ...SPEC]],
      'js+snapshot': [process.execPath, [join(ROOT, 'bench/launchers/hwy-snapshot.cjs'), ...SPEC]],
      'sh+snapshot': ['sh', [join(ROOT, 'bench/launchers/hwy-snapshot.sh'), ...SPEC]],
    };
    // The snapshot and the plain bundle must say the same.
    const out = Object.fromEntries(
      Object.entries(cases)
        .slice(1)
        .map(([k, [cmd, args]]) => {
          const r = spawnSync(cmd, args, { cwd: ROOT, env, encoding: 'utf8' });
          return [k, `${r.status}\n${r.stdout}\n${r.stderr}`];
        }),
    );
    if (new Set(Object.values(out)).size !== 1) throw new Error(`the launchers print different results: ${JSON.stringify(out)}`);
    const ms = interleaved(cases, runs, env);
    return Object.entries(ms).map(([name, t]) => ({ name, ms: t, ratio: t / ms.plain }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

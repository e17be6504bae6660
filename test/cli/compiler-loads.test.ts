// The compiler commands must start without the training and plotting stacks: every module
// they load is recorded (ESM through a module.register resolve hook, CommonJS through
// Module._load) and none may be tfjs, vega, vega-lite or @resvg. Nor do they load what only
// other commands use: cli-progress (training's progress bar), with its readline and string-width.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { ROOT } from '../helpers.js';

const HEAVY = /(^|[/\\])(@tensorflow[/\\]|vega(-lite)?([/\\]|$)|@resvg[/\\])/;
const OTHERS = /(^|[/\\])cli-progress([/\\]|$)/;
let dir = '';
let n = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hwy-loads-'));
  // Runs in the loader thread: every ESM resolution, as written and as resolved.
  writeFileSync(
    join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(process.env.HWY_LOAD_LOG, specifier + ' ' + r.url + '\\n');
  return r;
}
`,
  );
  writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
  // require() (the bundle's createRequire, CommonJS packages' own requires) bypasses the ESM hooks.
  writeFileSync(
    join(dir, 'cjs.cjs'),
    `const Module = require('node:module');
const { appendFileSync } = require('node:fs');
const load = Module._load;
Module._load = function (request, parent, isMain) {
  let resolved = '';
  try { resolved = Module._resolveFilename(request, parent, isMain); } catch {}
  appendFileSync(process.env.HWY_LOAD_LOG, request + ' ' + resolved + '\\n');
  return load.apply(this, arguments);
};
`,
  );
  writeFileSync(join(dir, 'net.hwy'), 'network n {\n  input 28x28x1\n  flatten\n  highway dense relu gate_bias=-2\n  dense 10 softmax\n}\ntrain {\n  data mnist\n}\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const nodeArgs = () => ['--require', join(dir, 'cjs.cjs'), '--import', pathToFileURL(join(dir, 'register.mjs')).href, join(ROOT, 'bin/hwy.js')];
const newLog = () => join(dir, `load-${++n}.log`);
const loaded = (log: string) => readFileSync(log, 'utf8').split('\n').filter(Boolean);

function run(args: string[]): { code: number | null; loads: string[] } {
  const log = newLog();
  writeFileSync(log, '');
  const r = spawnSync(process.execPath, [...nodeArgs(), ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, HWY_LOAD_LOG: log, NO_COLOR: '1' } });
  return { code: r.status, loads: loaded(log) };
}

describe('the compiler commands never load tfjs or the plotting stack', () => {
  const cases: [string, string[]][] = [
    ['check', ['check', 'net.hwy']],
    ['summary', ['summary', 'net.hwy', '--format', 'json']],
    ['compile --emit ir', ['compile', 'net.hwy', '--emit', 'ir']],
    ['compile --emit pytorch', ['compile', 'net.hwy', '--emit', 'pytorch']],
    ['compile --emit dot', ['compile', 'net.hwy', '--emit', 'dot']],
    ['fmt', ['fmt', 'net.hwy', '--check']],
    ['explain', ['explain', 'HWY3002']],
  ];
  for (const [name, args] of cases) {
    it(name, () => {
      const r = run(args);
      expect(r.code).toBe(0);
      expect(r.loads.length).toBeGreaterThan(0);
      expect(r.loads.filter((l) => HEAVY.test(l))).toEqual([]);
      expect(r.loads.filter((l) => OTHERS.test(l))).toEqual([]);
    });
  }
  it('lsp (a document opened and checked)', async () => {
    const log = newLog();
    writeFileSync(log, '');
    const child = spawn(process.execPath, [...nodeArgs(), 'lsp', '--stdio'], { cwd: dir, env: { ...process.env, HWY_LOAD_LOG: log } });
    const conn = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    const published = new Promise<unknown[]>((done) => conn.onNotification('textDocument/publishDiagnostics', (p: { diagnostics: unknown[] }) => done(p.diagnostics)));
    conn.listen();
    await conn.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {} });
    conn.sendNotification('initialized', {});
    conn.sendNotification('textDocument/didOpen', { textDocument: { uri: pathToFileURL(join(dir, 'bad.hwy')).href, languageId: 'hwy', version: 1, text: 'network n {\n  input 4\n  dens 3\n}\n' } });
    expect((await published).length).toBeGreaterThan(0);
    await conn.sendRequest('textDocument/hover', { textDocument: { uri: pathToFileURL(join(dir, 'bad.hwy')).href }, position: { line: 1, character: 3 } });
    await conn.sendRequest('shutdown');
    conn.sendNotification('exit');
    await new Promise((done) => child.once('exit', done));
    conn.dispose();
    const loads = loaded(log);
    expect(loads.some((l) => /vscode-languageserver/.test(l))).toBe(true);
    expect(loads.filter((l) => HEAVY.test(l))).toEqual([]);
    expect(loads.filter((l) => OTHERS.test(l))).toEqual([]);
  });
  it('(the recording sees tfjs where a command does load it: eval)', () => {
    const r = run(['eval', join(dir, 'no-such-run')]);
    expect(r.code).toBe(2);
    expect(r.loads.filter((l) => HEAVY.test(l)).length).toBeGreaterThan(0);
  });
});

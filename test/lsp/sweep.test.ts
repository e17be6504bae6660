import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import { analyse, complete, hover, symbols } from '../../src/lsp/features.js';
import { diagnosticsOf, startServer, type PublishedDiagnostic } from './client.js';
import { ROOT } from '../helpers.js';

const FIG = join(ROOT, 'specs/paper/figure1.hwy');
const readFile = (p: string) => {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return null;
  }
};
/** The LSP position of the first occurrence of `needle` (plus `delta` characters) in `text`. */
function at(text: string, needle: string, delta = 0) {
  const i = text.indexOf(needle) + delta;
  const before = text.slice(0, i);
  return { line: before.split('\n').length - 1, character: i - before.lastIndexOf('\n') - 1 };
}

describe('language features on a sweep', () => {
  const text = readFileSync(FIG, 'utf8');
  const a = analyse(text, FIG, { interactive: true, readFile });

  it('publishes the sweep\'s diagnostics, not "no network"', () => {
    expect(a.diagnostics).toEqual([]);
    expect(a.result.diagnostics.map((d) => d.code)).toEqual(['HWY2008']);
  });
  it('hover on the sweep says how many trials and epochs it runs at most', () => {
    const h = hover(a, at(text, 'sweep figure1', 7))!;
    expect(h).toContain('**sweep figure1**: plain, highway');
    expect(h).toContain('at most 8 grid points × 10 trials × 1 seed = 80 training runs, each of at most 300 epochs: **24,000 epochs** in all');
  });
  it('hover on a line word, a distribution and a swept constant', () => {
    expect(hover(a, at(text, '  trials', 3))).toMatch(/^\*\*trials\*\*: trials per grid point/);
    expect(hover(a, at(text, 'loguniform', 2))).toMatch(/^\*\*loguniform\*\*: a number drawn evenly on a log scale/);
    expect(hover(a, at(text, 'gate_bias choice', 1))).toBe('constant `gate_bias` of highway (auto as written)');
    expect(hover(a, at(text, 'grid depth', 6))).toBe('constant `depth` of plain (10 as written), highway (10 as written)');
  });
  it('completes sweep lines, the networks\' constants and settings, distributions and each line\'s words', () => {
    const doc = 'sweep s {\n  networks plain="mlp-plain.hwy" highway="mlp-highway.hwy"\n  \n}\n';
    const file = join(ROOT, 'specs/paper/s.hwy');
    const labels = (line: string) => {
      const t = doc.replace('\n  \n', `\n  ${line}\n`);
      return complete(analyse(t, file, { readFile }), { line: 2, character: 2 + line.length }).map((c) => c.label);
    };
    expect(labels('')).toEqual(['networks', 'grid', 'search', 'trials', 'seeds', 'sampler', 'objective', 'stop', 'pruner']);
    const names = labels('search ');
    expect(names.slice(0, 5)).toEqual(['depth', 'width', 'activation', 'gate_bias', 'train.data']);
    expect(names).toContain('train.lr.gamma');
    expect(labels('search depth ')).toEqual(['uniform', 'loguniform', 'int', 'choice']);
    expect(labels('sampler ')).toEqual(['random', 'tpe', 'grid']);
    expect(labels('pruner ')).toEqual(['none', 'median', 'successive_halving']);
    expect(labels('stop epochs=3 ')).toEqual(['patience=', 'target_loss=', 'min_improvement=']);
    expect(labels('objective loss ')).toEqual(['val_loss', 'val_accuracy', 'accuracy', 'min', 'max', 'final', 'best']);
    expect(complete(analyse('let w = 3\n', 'x.hwy'), { line: 1, character: 0 }).map((c) => c.label)).toContain('sweep');
  });
  it('the outline lists the sweep with its size', () => {
    expect(symbols(a).find((s) => s.kind === 'sweep')).toMatchObject({ name: 'figure1', detail: '80 runs, at most 24,000 epochs' });
  });
});

describe('the language server on a sweep file', () => {
  let child: ChildProcess;
  let conn: MessageConnection;
  let published: Map<string, PublishedDiagnostic[][]>;
  let dir: string;
  beforeAll(async () => {
    ({ child, conn, published } = await startServer());
    dir = mkdtempSync(join(tmpdir(), 'hwy-lsp-sweep-'));
    copyFileSync(join(ROOT, 'specs/paper/mlp-plain.hwy'), join(dir, 'mlp-plain.hwy'));
  });
  afterAll(() => {
    conn.dispose();
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  it('reads the networks beside it and points the note of a failing grid point into the network\'s file', async () => {
    const uri = pathToFileURL(join(dir, 's.hwy')).href;
    const ds = await diagnosticsOf(conn, published, uri, 'sweep s {\n  networks plain="mlp-plain.hwy"\n  grid depth [10, 0]\n}\n');
    expect(ds.map((d) => [d.code, d.range.start])).toEqual([['HWY6004', { line: 2, character: 18 }]]);
    expect(ds[0].message).toMatch(/^at depth=0, network 'plain' \(mlp-plain.hwy\) does not check/);
    expect(ds[0].relatedInformation).toEqual([{ location: { uri: pathToFileURL(join(dir, 'mlp-plain.hwy')).href, range: { start: { line: 10, character: 2 }, end: expect.anything() } }, message: 'where mlp-plain.hwy fails' }]);
  });
});

import { readFileSync, writeFileSync, mkdirSync, existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { expect } from 'vitest';
import { compile, type CompileResult } from '../src/core/compile.js';
import type { DraftLayer, LayerKind, LayerOf, NetworkIR } from '../src/ir/types.js';

export const ROOT = join(dirname(new URL(import.meta.url).pathname), '..');

export function compileText(text: string, overrides?: Record<string, number>): CompileResult {
  return compile(text, 'test.hwy', { overrides });
}

/** The checked IR of a spec that must compile without errors (fails the test otherwise, naming the errors). */
export function checkedIr(r: CompileResult): NetworkIR {
  if (!r.ok || !r.ir) throw new Error(`expected no errors: ${r.diagnostics.map((d) => `${d.code} ${d.message}`).join('; ')}`);
  return r.ir;
}

/** A layer read as the kind the test expects (asserted). */
export function layerAs<K extends LayerKind>(l: DraftLayer | undefined, kind: K): LayerOf<K> {
  expect(l?.kind).toBe(kind);
  return l as LayerOf<K>;
}

export function codes(r: CompileResult): string[] {
  return r.diagnostics.map((d) => d.code);
}

export function errors(r: CompileResult): string[] {
  return r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code);
}

/** A network around some body lines. */
export function net(body: string, input = '28x28x1'): string {
  return `network t {\n  input ${input}\n${body
    .split('\n')
    .map((l) => '  ' + l)
    .join('\n')}\n}\n`;
}

/**
 * Marker-based texts: `‹…›` marks a span. Returns the text without markers and the
 * 1-based line/col of the marked start and end.
 */
export function marked(src: string): { text: string; start: { line: number; col: number }; end: { line: number; col: number } } {
  const a = src.indexOf('‹');
  const b = src.indexOf('›');
  const text = src.replace('‹', '').replace('›', '');
  const pos = (off: number) => {
    const before = text.slice(0, off);
    return { line: before.split('\n').length, col: off - before.lastIndexOf('\n') };
  };
  return { text, start: pos(a), end: pos(b - 2) };
}

/** Compares with a golden file; UPDATE_GOLDEN=1 rewrites it. */
export function golden(rel: string, actual: string): void {
  const path = join(ROOT, 'test/golden', rel);
  if (process.env.UPDATE_GOLDEN) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
  }
  // A missing golden file fails everywhere: writing it silently would make the test pass on whatever came out.
  if (!existsSync(path)) throw new Error(`golden file missing: test/golden/${rel} (UPDATE_GOLDEN=1 writes it; review it before committing)`);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

/** The .hwy files under a folder: those that hold a network (the default), or all of them (sweep files too). */
export function specFiles(dir = 'specs', which: 'networks' | 'all' = 'networks'): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(join(ROOT, d), { withFileTypes: true })) {
      if (n.isDirectory()) walk(join(d, n.name));
      else if (n.name.endsWith('.hwy') && (which === 'all' || /^network\s/m.test(readFileSync(join(ROOT, d, n.name), 'utf8')))) out.push(join(d, n.name));
    }
  };
  walk(dir);
  return out.sort();
}

export function hwy(args: string[], opts: { input?: string; cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/hwy.js'), ...args], {
    cwd: opts.cwd ?? ROOT,
    input: opts.input,
    encoding: 'utf8',
    // FORCE_COLOR from the environment (CI services set it) would colour every message; tests ask for it explicitly.
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...opts.env },
    timeout: opts.timeoutMs ?? 120_000,
    killSignal: 'SIGKILL',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** An IDX file (MNIST's format) of unsigned bytes with the given dimensions. */
export function idxBytes(dims: number[], data: number[]): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(data)]);
}

/** Runs `hwy train …`, sends `signal` once the first epoch line is out, and waits for the exit: its code and stderr. */
export function trainUntilFirstEpoch(args: string[], signal: NodeJS.Signals, opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<{ code: number | null; err: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/hwy.js'), 'train', ...args], { cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env } });
  let err = '';
  return new Promise((resolve) => {
    child.stderr.on('data', (b) => {
      err += b;
      if (err.includes('epoch 1:') && !child.killed) child.kill(signal);
    });
    child.on('exit', (code) => resolve({ code, err }));
  });
}

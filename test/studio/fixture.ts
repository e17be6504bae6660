// What the studio tests share: a tree with a real run trained by `hwy train`, and a
// `hwy studio` process serving it, stopped by its own pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, hwy } from '../helpers.js';

export const SPEC = 'network tiny {\n  input 28x28x1\n  flatten\n  dense 8 relu\n  dense 10 softmax\n}\ntrain {\n  lr 0.05\n  batch 100\n  epochs 1\n}\n';

/** Trains SPEC for one epoch (tfjs) into `out`, with a --set so the row has one to show. */
export function trainTiny(work: string, out: string): void {
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'tiny.hwy'), SPEC);
  const r = hwy(['train', join(work, 'tiny.hwy'), '--out', out, '--epochs', '1', '--set', 'train.seed=7']);
  if (r.code !== 0) throw new Error(`hwy train failed: ${r.stderr}`);
}

export interface Studio {
  url: string;
  port: number;
  child: ChildProcess;
  stderr: () => string;
  /** Sends SIGINT (Ctrl-C) to this process only; resolves with its exit code. */
  stop: () => Promise<number | null>;
}

/** Starts `hwy studio ARGS` and waits for the URL it prints. */
export function startStudio(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Studio> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/hwy.js'), 'studio', ...args], { cwd: ROOT, env: { ...env, NO_COLOR: '1' } });
  let out = '';
  let err = '';
  child.stderr.on('data', (b) => (err += b));
  const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
  const stop = async () => {
    if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGINT');
    return exited;
  };
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => {
      void stop();
      fail(new Error(`hwy studio printed no URL in 30 s: ${err}`));
    }, 30_000);
    child.stdout.on('data', (b) => {
      out += b;
      const m = /^(http:\/\/\S+:(\d+)\/)\n/m.exec(out);
      if (m) {
        clearTimeout(timer);
        ok({ url: m[1], port: Number(m[2]), child, stderr: () => err, stop });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`hwy studio exited with ${code}: ${err}`));
    });
  });
}

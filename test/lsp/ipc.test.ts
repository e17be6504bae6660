import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { compile } from '../../src/core/compile.js';
import { ROOT } from '../helpers.js';
import { diagnosticsOf, startIpcServer } from './client.js';

describe('hwy lsp --node-ipc', () => {
  it("talks over Node's IPC channel when forked as vscode-languageclient forks it, and ends when the channel closes", async () => {
    const { child, conn, published } = await startIpcServer(join(ROOT, 'bin/hwy.js'), ['lsp']);
    try {
      const text = 'network n {\n  input 28x28x1\n  dense 10 softmax\n}\n';
      const ds = await diagnosticsOf(conn, published, 'file:///ipc.hwy', text);
      expect(ds.map((d) => d.code)).toEqual(compile(text, '/ipc.hwy').diagnostics.map((d) => d.code));
      expect(ds.find((d) => d.code === 'HWY3002')?.range.start).toEqual({ line: 2, character: 2 });
      const exited = once(child, 'exit');
      child.disconnect();
      const [code] = await exited;
      expect(code).toBe(0);
    } finally {
      conn.dispose();
      child.kill();
    }
  });

  it('is refused, with the reason, without an IPC channel or with both transports', () => {
    const alone = spawnSync(process.execPath, [join(ROOT, 'bin/hwy.js'), 'lsp', '--node-ipc'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(alone.status).toBe(2);
    expect(alone.stderr).toMatch(/^hwy lsp: --node-ipc needs an IPC channel.*\n$/);
    const both = spawnSync(process.execPath, [join(ROOT, 'bin/hwy.js'), 'lsp', '--node-ipc', '--stdio'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(both.status).toBe(2);
    expect(both.stderr.trim()).toBe('hwy: give one transport: --stdio or --node-ipc, not both');
  });
});

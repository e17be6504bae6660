import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from '../helpers.js';
import { diagnosticsOf, startIpcServer } from '../lsp/client.js';

const EXT = join(ROOT, 'editors/vscode');
const manifest = JSON.parse(readFileSync(join(EXT, 'package.json'), 'utf8'));
// vsce and yauzl are the extension's own development dependencies (`npm ci` in editors/vscode; .ci/run does it).
const installed = existsSync(join(EXT, 'node_modules/@vscode/vsce/package.json'));

const tmp = mkdtempSync(join(tmpdir(), 'hwy-vsix-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every entry of a zip file, with its contents. */
async function unzip(file: string): Promise<Map<string, Buffer>> {
  const yauzl = createRequire(join(EXT, 'package.json'))('yauzl') as {
    open: (p: string, o: object, cb: (e: Error | null, z: YauzlZip) => void) => void;
  };
  type YauzlZip = {
    readEntry(): void;
    on(ev: 'entry', f: (e: { fileName: string }) => void): void;
    on(ev: 'end' | 'error', f: (e?: Error) => void): void;
    openReadStream(e: object, cb: (err: Error | null, s: NodeJS.ReadableStream) => void): void;
  };
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const out = new Map<string, Buffer>();
      zip.on('error', reject);
      zip.on('end', () => resolve(out));
      zip.on('entry', (entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

describe('VS Code extension manifest', () => {
  it('a workspace cannot set the server command; an untrusted workspace gets the bundled server; repository and licence for vsce', () => {
    const command = manifest.contributes.configuration.properties['hwy.server.command'];
    expect(command.scope).toBe('machine');
    expect(command.default).toEqual([]);
    expect(manifest.capabilities.untrustedWorkspaces.supported).toBe('limited');
    expect(manifest.repository.url).toMatch(/^https:\/\//);
    expect(manifest.license).toBe('MIT');
    expect(manifest.main).toBe('./dist/extension.js');
    expect(manifest.dependencies ?? {}).toEqual({}); // everything it runs is bundled
  });
});

describe.skipIf(!installed)('the packaged VS Code extension (needs `npm ci` in editors/vscode)', () => {
  let entries: Map<string, Buffer>;

  it('vsce packages it with no prompt, from the grammar of grammar/ and the LICENSE of the repository', async () => {
    // the README's command; stdin closed, so that a question fails the run instead of waiting for an answer
    const vsix = join(EXT, 'hwy.vsix');
    rmSync(vsix, { force: true });
    const r = spawnSync('npm', ['run', 'package'], { cwd: EXT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000, shell: process.platform === 'win32' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    entries = await unzip(vsix);
    expect(entries.get('extension/syntaxes/hwy.tmLanguage.json')?.toString()).toBe(readFileSync(join(ROOT, 'grammar/hwy.tmLanguage.json'), 'utf8'));
    expect(entries.get('extension/language-configuration.json')?.toString()).toBe(readFileSync(join(ROOT, 'grammar/language-configuration.json'), 'utf8'));
    expect(entries.get('extension/LICENSE.txt')?.toString()).toBe(readFileSync(join(ROOT, 'LICENSE'), 'utf8'));
  });

  it('ships only what runs: both bundles, every path the manifest names, no node_modules, sources or source maps', () => {
    const files = [...entries.keys()].filter((f) => f.startsWith('extension/')).map((f) => f.slice('extension/'.length));
    expect(files.sort()).toEqual(['LICENSE.txt', 'dist/extension.js', 'dist/server.js', 'language-configuration.json', 'package.json', 'readme.md', 'syntaxes/hwy.tmLanguage.json']);
    const shipped = JSON.parse(entries.get('extension/package.json')!.toString());
    for (const p of [shipped.main, ...shipped.contributes.languages.map((l: { configuration: string }) => l.configuration), ...shipped.contributes.grammars.map((g: { path: string }) => g.path)]) {
      expect(files, p).toContain(p.replace(/^\.\//, ''));
    }
    const size = [...entries.values()].reduce((n, b) => n + b.length, 0);
    expect(size).toBeLessThan(2 * 2 ** 20);
  });

  it('runs from the unpacked .vsix alone: the extension loads with only `vscode` provided, the server answers over IPC', async () => {
    const dir = join(tmp, 'unpacked');
    for (const [name, data] of entries) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), data);
    }
    // The editor provides `vscode` (here a stand-in); anything else the bundle failed to include would not be found here.
    mkdirSync(join(dir, 'node_modules/vscode'), { recursive: true });
    copyFileSync(join(ROOT, 'test/editors/fixtures/fake-vscode.cjs'), join(dir, 'node_modules/vscode/index.js'));
    copyFileSync(join(ROOT, 'test/editors/fixtures/activate.cjs'), join(dir, 'activate.cjs'));
    const load = spawnSync(process.execPath, ['-e', 'const e = require("./extension/dist/extension.js"); console.log(typeof e.activate, typeof e.deactivate)'], { cwd: dir, encoding: 'utf8' });
    expect(load.stderr).toBe('');
    expect(load.stdout.trim()).toBe('function function');

    const { child, conn, published } = await startIpcServer(join(dir, 'extension/dist/server.js'), [], dir);
    try {
      const ds = await diagnosticsOf(conn, published, 'file:///vsix.hwy', 'network n {\n  input 28x28x1\n  dense 10 softmax\n}\n');
      expect(ds.map((d) => d.code)).toEqual(['HWY3002']);
    } finally {
      conn.dispose();
      child.kill();
    }
  });

  /** What the editor shows when the unpacked extension activates with these settings (see fixtures/activate.cjs). */
  function activate(settings: { folders?: string[]; trusted?: boolean; command?: string[] }): string[] {
    const documents = [{ path: join(tmp, 'net.hwy'), text: 'network n {\n  input 28x28x1\n  dense 10 softmax\n}\n' }];
    const dir = join(tmp, 'unpacked');
    const r = spawnSync(process.execPath, ['activate.cjs', join(dir, 'extension/dist/extension.js'), JSON.stringify({ documents, ...settings })], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as string[];
  }
  const served = (log: string[]) => log.filter((l) => l.startsWith('hwy: language server: ') || l.startsWith('DIAGNOSTICS ') || /^(ERROR|WARNING) /.test(l));
  const DIAGNOSTICS = `DIAGNOSTICS ${join(tmp, 'net.hwy')} [["HWY3002",2,2]]`;

  it("activates with vscode-languageclient: the bundled server by default, the workspace's hwy when trusted, diagnostics in the editor either way", () => {
    expect(served(activate({}))).toEqual(['hwy: language server: the language server bundled with the extension', DIAGNOSTICS]);
    const ws = join(tmp, 'ws');
    mkdirSync(join(ws, 'node_modules'), { recursive: true });
    symlinkSync(ROOT, join(ws, 'node_modules', 'hwy'));
    const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
    expect(served(activate({ folders: [ws] }))).toEqual([`hwy: language server: the workspace's hwy ${version} (node_modules/hwy)`, DIAGNOSTICS]);
    expect(served(activate({ folders: [ws], trusted: false }))).toEqual(['hwy: language server: the language server bundled with the extension', DIAGNOSTICS]);
  });

  it("falls back to the bundled server when the workspace's hwy fails, and says so; a configured command that fails is reported, not replaced", () => {
    const ws = join(tmp, 'broken');
    mkdirSync(join(ws, 'node_modules/hwy-lang/bin'), { recursive: true });
    writeFileSync(join(ws, 'node_modules/hwy-lang/package.json'), JSON.stringify({ name: 'hwy-lang', version: '9.9.9', bin: { hwy: 'bin/hwy.js' } }));
    writeFileSync(join(ws, 'node_modules/hwy-lang/bin/hwy.js'), '#!/usr/bin/env node\nprocess.stderr.write("cannot start\\n");\nprocess.exit(1);\n');
    chmodSync(join(ws, 'node_modules/hwy-lang/bin/hwy.js'), 0o755);
    const log = activate({ folders: [ws] });
    expect(log).toContain('cannot start\n'); // the server's own words reach the output channel
    const failure = `the workspace's hwy 9.9.9 (node_modules/hwy-lang) did not start (it exited while starting; its messages are in the output channel "hwy")`;
    expect(served(log).filter((l) => !l.startsWith('ERROR hwy language server client'))).toEqual([
      'hwy: language server: the language server bundled with the extension',
      `WARNING hwy: ${failure}; using the language server bundled with the extension.`,
      DIAGNOSTICS,
    ]);

    const missing = join(tmp, 'no-such-hwy');
    const configured = served(activate({ folders: [ws], command: [missing, 'lsp', '--stdio'] })).filter((l) => !l.startsWith('ERROR hwy language server client'));
    expect(configured).toHaveLength(1);
    expect(configured[0]).toMatch(new RegExp(`^ERROR hwy: no language server could start, so .hwy files get highlighting only: hwy.server.command \\(${missing} lsp --stdio\\) did not start \\(.*ENOENT.*\\)\\. Correct hwy.server.command`));
  });
});

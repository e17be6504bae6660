// Language server latency: from a document change to the published diagnostics, over stdio,
// for every paper spec and a generated 1,000-layer spec (written out, one block a line).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';

const ROOT = new URL('..', import.meta.url).pathname;

export async function lspBench(log = console.log) {
  const child = spawn(process.execPath, [ROOT + 'bin/hwy.js', 'lsp', '--stdio']);
  const conn = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  let waiting;
  conn.onNotification('textDocument/publishDiagnostics', () => waiting?.());
  conn.listen();
  await conn.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {} });
  conn.sendNotification('initialized', {});
  const docs = readdirSync(ROOT + 'specs/paper').map((f) => [f, readFileSync(ROOT + 'specs/paper/' + f, 'utf8')]);
  docs.push(['generated, 1,000 layers', `network g {\n  input 64\n  dense 32 relu\n${'  highway dense relu gate_bias=-2\n'.repeat(998)}  dense 10 softmax\n}\n`]);
  log('| document | change -> diagnostics (median of 20) | goal |');
  log('|---|---|---|');
  let version = 0;
  for (const [name, text] of docs) {
    const uri = `file:///${encodeURIComponent(name)}.hwy`;
    const published = () => new Promise((r) => (waiting = r));
    let p = published();
    conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'hwy', version: ++version, text } });
    await p;
    const times = [];
    for (let i = 0; i < 20; i++) {
      const edited = text + `# edit ${i}\n`;
      p = published();
      const t = performance.now();
      conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: [{ text: edited }] });
      await p;
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const goal = name.startsWith('generated') ? 50 : 10;
    log(`| ${name} | ${times[10].toFixed(1)} ms | < ${goal} ms |`);
  }
  conn.dispose();
  child.kill();
}

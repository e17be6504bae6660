// Which language servers the extension may start, best first. No `vscode` import here, so
// that the choice is tested outside the editor (test/editors/vscode-servers.test.ts).
const fs = require('node:fs');
const path = require('node:path');

/** The package names hwy is installed under in a workspace, newest first. */
const PACKAGES = ['hwy-lang', 'hwy'];

/**
 * @typedef {{ label: string, kind: 'module', module: string, args: string[] }} ModuleServer
 *   a Node script forked with an IPC channel (vscode-languageclient's TransportKind.ipc adds `--node-ipc`)
 * @typedef {{ label: string, kind: 'command', command: string, args: string[], stdio: boolean, configured?: true }} CommandServer
 *   a program spawned over standard input and output; `stdio`: the client adds `--stdio` to `args`;
 *   `configured`: the user's hwy.server.command
 * @typedef {ModuleServer | CommandServer} Server
 */

/** Whether a file is a Node script: a JavaScript extension or a `#!` line that runs node. */
function isNodeScript(file) {
  if (/\.[cm]?js$/.test(file)) return true;
  let head = '';
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(128);
      head = buf.toString('utf8', 0, fs.readSync(fd, buf, 0, buf.length, 0));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
  return /^#!.*\bnode\b/.test(head.split('\n')[0]);
}

/**
 * The hwy installed in a workspace folder (`node_modules/hwy-lang`, then `node_modules/hwy`),
 * found through its package.json's `hwy` bin. A package of that name without a `hwy` bin is
 * someone else's (the npm name `hwy` also belongs to a web framework) and is passed over.
 * @param {string} folder
 * @param {NodeJS.Platform} [platform]
 * @returns {Server | undefined}
 */
function workspaceServer(folder, platform = process.platform) {
  for (const name of PACKAGES) {
    const dir = path.join(folder, 'node_modules', name);
    let pkg;
    try {
      pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    } catch {
      continue; // not installed, or not readable: the next name, then the bundled server
    }
    const rel = typeof pkg.bin === 'string' ? (pkg.name === 'hwy' ? pkg.bin : undefined) : pkg?.bin?.hwy;
    if (typeof rel !== 'string') continue;
    const bin = path.resolve(dir, rel);
    if (!fs.existsSync(bin)) continue;
    const label = `the workspace's hwy${typeof pkg.version === 'string' ? ` ${pkg.version}` : ''} (${path.relative(folder, dir)})`;
    if (isNodeScript(bin)) return { label, kind: 'module', module: bin, args: ['lsp'] };
    // A shell launcher: spawned over stdio (every hwy takes `lsp --stdio`); Windows cannot run one.
    if (platform !== 'win32') return { label, kind: 'command', command: bin, args: ['lsp'], stdio: true };
  }
  return undefined;
}

/**
 * The servers to try, in order.
 * - `configured` (the machine-scoped `hwy.server.command`), when set, is the only one: a
 *   command the user chose is never replaced by another behind their back.
 * - Else the workspace's own hwy, only in a trusted workspace (an untrusted one must not make
 *   the editor run its code), then the server bundled with the extension.
 * @param {{ configured?: unknown, folders: string[], trusted: boolean, extensionDir: string, platform?: NodeJS.Platform }} o
 * @returns {Server[]}
 */
function serverCandidates(o) {
  const configured = Array.isArray(o.configured) ? o.configured.filter((s) => typeof s === 'string' && s !== '') : [];
  if (configured.length > 0) {
    const [command, ...args] = configured;
    return [{ label: `hwy.server.command (${configured.join(' ')})`, kind: 'command', command, args, stdio: false, configured: true }];
  }
  const out = [];
  if (o.trusted) {
    for (const folder of o.folders) {
      const s = workspaceServer(folder, o.platform);
      if (s) {
        out.push(s);
        break;
      }
    }
  }
  out.push({ label: 'the language server bundled with the extension', kind: 'module', module: path.join(o.extensionDir, 'dist', 'server.js'), args: [] });
  return out;
}

/**
 * vscode-languageclient's ServerOptions for a candidate: a Node script is forked with an IPC
 * channel, a command spawned over stdio. `transports` is the client's TransportKind.
 * @param {Server} s
 * @param {string | undefined} cwd
 * @param {{ ipc: number, stdio: number }} transports
 */
function serverOptions(s, cwd, transports, platform = process.platform) {
  if (s.kind === 'module') return { module: s.module, args: s.args, transport: transports.ipc, options: { cwd } };
  return {
    command: s.command,
    args: s.args,
    // the configured command runs as written; a workspace's launcher gets `--stdio` from the client
    ...(s.stdio ? { transport: transports.stdio } : {}),
    options: { cwd, shell: platform === 'win32' },
  };
}

/**
 * Starts the candidates in order until one starts. `start` resolves to the running client or
 * rejects with why it did not start.
 * @template C
 * @param {Server[]} candidates
 * @param {(s: Server) => Promise<C>} start
 * @returns {Promise<{ client?: C, server?: Server, failures: string[] }>}
 */
async function startFirst(candidates, start) {
  const failures = [];
  for (const server of candidates) {
    try {
      return { client: await start(server), server, failures };
    } catch (e) {
      failures.push(`${server.label} did not start (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  return { failures };
}

/**
 * What the editor says when no server started: highlighting still works, and what to change.
 * @param {string[]} failures
 * @param {boolean} configured whether the one tried was hwy.server.command
 */
function noServerMessage(failures, configured) {
  const advice = configured
    ? "Correct hwy.server.command in your user settings, or empty it to use the workspace's hwy or the bundled server."
    : 'Set hwy.server.command in your user settings to a command that runs `hwy lsp --stdio`.';
  return `hwy: no language server could start, so .hwy files get highlighting only: ${failures.join('; ')}. ${advice}`;
}

module.exports = { PACKAGES, isNodeScript, noServerMessage, serverCandidates, serverOptions, startFirst, workspaceServer };

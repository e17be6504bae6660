// The hwy VS Code extension: starts a hwy language server for .hwy files. The workspace's
// own installed hwy is preferred (its diagnostics match the hwy the project runs); the
// server bundled into the extension serves when there is none, so the extension works with
// no hwy installed.
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');
const { serverCandidates } = require('./servers.js');

/** @type {LanguageClient | undefined} */
let client;

/** The vscode-languageclient ServerOptions of a candidate from servers.js. */
function serverOptions(s, cwd) {
  if (s.kind === 'module') return { module: s.module, args: s.args, transport: TransportKind.ipc, options: { cwd } };
  return {
    command: s.command,
    args: s.args,
    // the configured command is run as written; a workspace's launcher gets `--stdio` from the client
    ...(s.stdio ? { transport: TransportKind.stdio } : {}),
    options: { cwd, shell: process.platform === 'win32' },
  };
}

async function activate(context) {
  const output = vscode.window.createOutputChannel('hwy');
  context.subscriptions.push(output);
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  const candidates = serverCandidates({
    // machine scope: VS Code reads this setting from user settings only, never from a workspace
    configured: vscode.workspace.getConfiguration('hwy').get('server.command'),
    folders,
    trusted: vscode.workspace.isTrusted,
    extensionDir: context.extensionPath,
  });
  const failures = [];
  for (const s of candidates) {
    const c = new LanguageClient('hwy', 'hwy language server', serverOptions(s, folders[0]), {
      documentSelector: [{ language: 'hwy' }],
      outputChannel: output,
    });
    try {
      await c.start();
    } catch (e) {
      failures.push(`${s.label}: ${e instanceof Error ? e.message : String(e)}`);
      output.appendLine(`hwy: ${s.label} did not start: ${e instanceof Error ? e.message : String(e)}`);
      await c.dispose().catch(() => {});
      continue;
    }
    client = c;
    output.appendLine(`hwy: language server: ${s.label}`);
    if (failures.length > 0) vscode.window.showWarningMessage(`hwy: ${failures.join('; ')}. Using ${s.label} instead.`);
    context.subscriptions.push({ dispose: () => client && client.stop() });
    return;
  }
  vscode.window.showErrorMessage(
    `hwy: no language server could start, so .hwy files get highlighting only. ${failures.join('; ')}. ` +
      "Install hwy into the workspace's node_modules, or set hwy.server.command in your user settings.",
  );
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };

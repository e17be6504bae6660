// The hwy VS Code extension: starts a hwy language server for .hwy files. The workspace's
// own installed hwy is preferred (its diagnostics match the hwy the project runs); the
// server bundled into the extension serves when there is none, so the extension works with
// no hwy installed. The choice is made in servers.js.
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');
const { noServerMessage, serverCandidates, serverOptions, startFirst } = require('./servers.js');

/** @type {LanguageClient | undefined} */
let client;

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
  const started = await startFirst(candidates, async (s) => {
    const c = new LanguageClient('hwy', 'hwy language server', serverOptions(s, folders[0], TransportKind), {
      documentSelector: [{ language: 'hwy' }],
      outputChannel: output,
    });
    try {
      await c.start();
      return c;
    } catch (e) {
      await c.dispose().catch(() => {});
      throw e;
    }
  });
  for (const f of started.failures) output.appendLine(`hwy: ${f}`);
  if (!started.client) {
    vscode.window.showErrorMessage(noServerMessage(started.failures));
    return;
  }
  client = started.client;
  output.appendLine(`hwy: language server: ${started.server.label}`);
  if (started.failures.length > 0) vscode.window.showWarningMessage(`hwy: ${started.failures.join('; ')}; using ${started.server.label}.`);
  context.subscriptions.push({ dispose: () => client && client.stop() });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };

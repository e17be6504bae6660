// The hwy VS Code extension: starts `hwy lsp --stdio` and lets it serve .hwy files.
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const [command, ...args] = vscode.workspace.getConfiguration('hwy').get('server.command');
  const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  client = new LanguageClient(
    'hwy',
    'hwy language server',
    { command, args, options: { cwd, shell: process.platform === 'win32' } },
    { documentSelector: [{ language: 'hwy' }] },
  );
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };

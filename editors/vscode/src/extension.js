// The hwy VS Code extension: starts a hwy language server for .hwy files. The workspace's
// own installed hwy is preferred (its diagnostics match the hwy the project runs); the
// server bundled into the extension serves when there is none, so the extension works with
// no hwy installed. The choice is made in servers.js.
const vscode = require('vscode');
const { CloseAction, ErrorAction, LanguageClient, TransportKind } = require('vscode-languageclient/node');
const { noServerMessage, serverCandidates, serverOptions, startFirst, workspaceServer } = require('./servers.js');

/** @type {LanguageClient | undefined} */
let client;

/** The workspace folders on disk (a remote or virtual folder has no node_modules to look in). */
const diskFolders = () => (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);

async function activate(context) {
  const output = vscode.window.createOutputChannel('hwy');
  context.subscriptions.push(output);
  // The server is chosen once, at start: a new setting, or trust that lets the workspace's hwy run, takes a reload.
  const offerReload = (why) =>
    vscode.window.showInformationMessage(`hwy: ${why}; reload the window to start the language server again.`, 'Reload').then((a) => {
      if (a) vscode.commands.executeCommand('workbench.action.reloadWindow');
    });
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('hwy.server.command')) offerReload('hwy.server.command changed');
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      if (diskFolders().some((f) => workspaceServer(f))) offerReload('the workspace is trusted now, so its own hwy may run');
    }),
  );
  const folders = diskFolders();
  const candidates = serverCandidates({
    // machine scope: VS Code reads this setting from user settings only, never from a workspace
    configured: vscode.workspace.getConfiguration('hwy').get('server.command'),
    folders,
    trusted: vscode.workspace.isTrusted,
    extensionDir: context.extensionPath,
  });
  const started = await startFirst(candidates, async (s) => {
    // A server that fails to start is not restarted or reported by the client: activate reports
    // it once and tries the next. One that ran gets the client's usual restarts.
    let running = false;
    let closedEarly = false;
    let usual;
    const c = new LanguageClient('hwy', 'hwy language server', serverOptions(s, folders[0], TransportKind), {
      documentSelector: [{ language: 'hwy' }],
      outputChannel: output,
      initializationFailedHandler: () => false,
      errorHandler: {
        error: (e, m, n) => (running ? usual.error(e, m, n) : { action: ErrorAction.Shutdown, handled: true }),
        closed: () => {
          if (running) return usual.closed();
          closedEarly = true;
          return { action: CloseAction.DoNotRestart, handled: true };
        },
      },
    });
    usual = c.createDefaultErrorHandler();
    try {
      await c.start();
      // start() can resolve for a server that exited while starting (the client stops it first)
      if (!c.isRunning()) throw new Error(closedEarly ? 'it exited while starting; its messages are in the output channel "hwy"' : 'it stopped while starting');
      running = true;
      return c;
    } catch (e) {
      await c.dispose().catch(() => {});
      throw e;
    }
  });
  for (const f of started.failures) output.appendLine(`hwy: ${f}`);
  if (!started.client) {
    vscode.window.showErrorMessage(noServerMessage(started.failures, candidates.some((s) => s.configured)));
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

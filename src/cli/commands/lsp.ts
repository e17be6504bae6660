import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';

export function registerLsp(program: Command): void {
  program
    .command('lsp')
    .description('run the language server (diagnostics, hover, inlay hints, completion, go to definition, formatting) for editors')
    .option('--stdio', 'talk over standard input and output (the default)')
    .option('--node-ipc', "talk over Node's IPC channel (for an editor that forks hwy with one, such as vscode-languageclient's TransportKind.ipc)")
    // vscode-languageclient passes the editor's process id; the server exits when that process is gone.
    .addOption(new Option('--clientProcessId <pid>', 'the editor process whose end ends the server').hideHelp())
    .action(async (opts: { stdio?: boolean; nodeIpc?: boolean }) => {
      if (opts.stdio && opts.nodeIpc) throw new UsageError('give one transport: --stdio or --node-ipc, not both');
      const { startServer } = await import('../../lsp/server.js');
      startServer();
    });
}

import type { Command } from 'commander';

export function registerLsp(program: Command): void {
  program
    .command('lsp')
    .description('run the language server (diagnostics, hover, inlay hints, completion, go to definition, formatting) for editors')
    .option('--stdio', 'talk over standard input and output (the default)')
    .action(async () => {
      const { startServer } = await import('../../lsp/server.js');
      startServer();
    });
}

import type { Command } from 'commander';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { describeFsError } from '../io.js';
import { packageRoot } from '../../util/package-root.js';

/** The port tried first when --port is not given; a free one is taken when it is in use. */
const DEFAULT_PORT = 4321;

function parsePort(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 65535) throw new UsageError(`--port ${v}: expected a port number from 0 (any free port) to 65535`);
  return Number(v);
}

export function registerStudio(program: Command): void {
  program
    .command('studio')
    .description('serve a local web app that shows every run and sweep under the given directories, with their curves, live while they train')
    .argument('[dirs...]', 'directories searched for run and sweep directories (skipping node_modules and dot-directories)', ['.'])
    .option('--port <n>', `port to listen on (0: any free one; default ${DEFAULT_PORT}, or a free one when it is taken)`)
    .option('--open', 'open the page in the default browser (xdg-open, open or start)')
    .option('--host <address>', 'address to listen on (default 127.0.0.1: this machine only); another address lets whoever can reach it read the runs')
    .addHelpText(
      'after',
      `
The app is read-only and bundled with hwy: it loads nothing from the network. It shows a
table of the runs (sortable, filterable, every setting), the curves of the runs you select
(by epoch or time, log scale, grouped by a setting with a band over seeds), a metric
against a setting, parallel coordinates, and a page a sweep with its trials and figures.
Pages follow training live (within a second of each epoch). Ctrl-C stops the server.

Examples:
  npx hwy studio                         the runs under the current directory
  npx hwy studio runs sweeps/depth       the runs and sweeps under two directories
  npx hwy studio runs --port 8080
  npx hwy studio runs --open             and open it in the browser
  npx hwy studio runs --host 0.0.0.0     reachable from other machines (anyone who can reach this one)`,
    )
    .action(async (dirs: string[], opts: { port?: string; host?: string; open?: boolean }) => {
      const port = opts.port === undefined ? undefined : parsePort(opts.port);
      if (opts.host !== undefined && !opts.host.trim()) throw new UsageError('--host: expected an address, such as 127.0.0.1 or 0.0.0.0');
      const roots = dirs.map((given) => {
        let st;
        try {
          st = statSync(given);
        } catch (e) {
          throw new UsageError(`cannot read '${given}': ${describeFsError(e)}`);
        }
        if (!st.isDirectory()) throw new UsageError(`'${given}' is not a directory: give the directories that hold the runs`);
        return { given, real: realpathSync(given) };
      });
      const appDir = join(packageRoot(), 'dist', 'studio');
      if (!existsSync(join(appDir, 'index.html'))) throw new UsageError(`the studio app is not built (${appDir}): run npm run build`);
      const { createStudioServer } = await import('../../studio/server.js');
      const { scan } = await import('../../studio/scan.js');
      const host = opts.host ?? '127.0.0.1';
      const loopback = ['127.0.0.1', 'localhost', '::1'].includes(host);
      // on a loopback address the Host header is still checked (DNS rebinding); elsewhere the machine's names are many
      // the playground (npm run build:site), at /editor/, when it is built
      const server = createStudioServer({ roots, appDir, siteDir: join(packageRoot(), 'dist', 'site'), exposed: !loopback });
      const listen = (p: number) =>
        new Promise<number>((ok, fail) => {
          const onError = (e: Error) => fail(e);
          server.once('error', onError);
          server.listen(p, host, () => {
            server.off('error', onError);
            const a = server.address();
            ok(a && typeof a === 'object' ? a.port : p);
          });
        });
      let actual: number;
      let moved = false;
      try {
        actual = await listen(port ?? DEFAULT_PORT);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE' && port === undefined) {
          actual = await listen(0);
          moved = true;
        }
        else if (code === 'EADDRINUSE') throw new UsageError(`--port ${port}: the port is in use; choose another, or --port 0 for any free one`);
        else if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') throw new UsageError(`--host ${host}: not an address of this machine`);
        else if (code === 'EACCES') throw new UsageError(`--port ${port ?? DEFAULT_PORT}: permission denied (ports below 1024 need privileges)`);
        else throw e;
      }
      const found = scan(roots);
      const urlHost = opts.host === undefined || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
      const url = `http://${urlHost}:${actual}/`;
      const n = (k: number, w: string) => `${k} ${w}${k === 1 ? '' : 's'}`;
      // said, or the URL would seem to change for no reason (another studio, or another program, has the default)
      if (moved) process.stderr.write(`hwy studio: port ${DEFAULT_PORT} is taken, so it listens on port ${actual} (--port to choose one)\n`);
      process.stderr.write(`hwy studio: ${n(found.runs.length, 'run')} and ${n(found.sweeps.length, 'sweep')} under ${dirs.join(', ')}${found.truncated ? ' (search stopped early: too many directories)' : ''}\n`);
      if (opts.host !== undefined)
        process.stderr.write(
          `hwy studio: listening on ${host}:${actual}: ${loopback ? 'this machine only' : `anyone who can reach this machine at that address can read these runs (read-only; no password)`}\n`,
        );
      process.stdout.write(`${url}\n`);
      const site = join(packageRoot(), 'dist', 'site', 'index.html');
      process.stderr.write(existsSync(site) ? `hwy studio: the playground (an editor for specs) at ${url}editor/\n` : '');
      process.stderr.write('hwy studio: Ctrl-C stops it\n');
      if (opts.open) {
        const { openBrowser } = await import('../../studio/open.js');
        openBrowser(url, (line) => process.stderr.write(`hwy studio: ${line}\n`));
      }
      const stop = () => {
        server.live.close();
        server.close();
        server.closeAllConnections();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      // every row read once while nobody waits: the first page then has them at once
      setImmediate(() => server.live.prime());
    });
}

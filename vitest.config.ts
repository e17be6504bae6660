import { configDefaults, defineConfig } from 'vitest/config';

// Two projects. `npm test` runs `fast`: the compiler, language, formatter, language server
// and the engines' small tests, a couple of minutes on 2 cores. `npm run test:all` (what CI
// runs) adds `slow`: everything that trains (tfjs and torch), the browser, the packed
// tarball and the VS Code package. A test file belongs to `slow` unless listed in FAST.
const FAST = [
  'test/layout.test.ts',
  'test/dist-imports.test.ts',
  'test/parser/**/*.test.ts',
  'test/passes/**/*.test.ts',
  'test/language/**/*.test.ts',
  'test/grammar/**/*.test.ts',
  'test/diagnostics/**/*.test.ts',
  'test/ir/**/*.test.ts',
  'test/specs/**/*.test.ts',
  // sweeps as the compiler checks them (every grid point compiled, nothing trained)
  'test/core/**/*.test.ts',
  'test/cli/check-sweep-cli.test.ts',
  'test/experiment/points.test.ts',
  'test/format/**/*.test.ts',
  'test/lsp/**/*.test.ts',
  'test/editors/vscode-server.test.ts',
  'test/editors/vscode-servers.test.ts',
  // the compiler commands (check, summary, compile, explain, fmt), none of which trains
  'test/cli/cli.test.ts',
  'test/cli/bounds-cli.test.ts',
  'test/cli/core-bundle.test.ts',
  'test/cli/compiler-loads.test.ts',
  'test/cli/files.test.ts',
  'test/cli/files-cli.test.ts',
  'test/cli/hints.test.ts',
  'test/cli/io.test.ts',
  'test/cli/diagram-cli.test.ts',
  // the network drawn as SVG (pure, no training)
  'test/diagram/**/*.test.ts',
  // engines and data, in process and without training: layers, kernels, emitters, readers
  'test/backends/*.test.ts',
  'test/browser/layers-entry.test.ts',
  'test/data/**/*.test.ts',
  'test/run/monitor.test.ts',
  'test/analysis/sweep-protocol.test.ts',
  'test/analysis/figures.test.ts',
  // the playground's share links (its page is tested in a browser: slow)
  'test/playground/share.test.ts',
  'test/playground/transport.test.ts',
  'test/playground/studio-editor.test.ts',
];

export default defineConfig({
  test: {
    // Runs once for both projects: builds dist/ for the CLI tests.
    globalSetup: ['test/global-setup.ts'],
    projects: [
      {
        test: {
          name: 'fast',
          include: FAST,
          testTimeout: 60_000,
          hookTimeout: 120_000,
          pool: 'forks',
        },
      },
      {
        test: {
          name: 'slow',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...FAST],
          // A per-test budget for tests that train, sized for a loaded 2-core machine: a torch
          // export test that takes 70-80 s there beside other test files still has room. A
          // test that needs more says so itself (the packed tarball's install: 10 minutes).
          testTimeout: 300_000,
          hookTimeout: 300_000,
          pool: 'forks',
        },
      },
    ],
  },
});

// --open: the page in the default browser, by the system's own opener (xdg-open, open,
// start), started detached so that the browser outlives nothing of ours and we wait for
// nothing of its. Where there is no display to open it on (a server over SSH), nothing is
// started and the user is told to open the address. No dependency: the three commands are
// all the `open` package would run here.
import { spawn } from 'node:child_process';

export type OpenPlan = { cmd: string; args: string[] } | { skip: string };

/** What --open runs for `url` on `platform`, or why it runs nothing. */
export function openCommand(url: string, platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): OpenPlan {
  if (platform === 'darwin') return { cmd: 'open', args: [url] };
  // start is a command of cmd.exe; its first quoted argument is a window title
  if (platform === 'win32') return { cmd: 'cmd', args: ['/c', 'start', '""', url] };
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return { skip: 'no display (DISPLAY and WAYLAND_DISPLAY are unset)' };
  return { cmd: 'xdg-open', args: [url] };
}

/** Starts the opener; `say` gets one line when it cannot (no display, no opener installed). */
export function openBrowser(url: string, say: (line: string) => void): void {
  const plan = openCommand(url);
  if ('skip' in plan) return say(`--open: ${plan.skip}: open ${url} yourself`);
  try {
    const child = spawn(plan.cmd, plan.args, { detached: true, stdio: 'ignore', windowsVerbatimArguments: process.platform === 'win32' });
    child.on('error', (e) => say(`--open: cannot run ${plan.cmd} (${(e as NodeJS.ErrnoException).code ?? e.message}): open ${url} yourself`));
    child.unref();
  } catch (e) {
    say(`--open: cannot run ${plan.cmd} (${(e as Error).message}): open ${url} yourself`);
  }
}

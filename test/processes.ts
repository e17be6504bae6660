import { readdirSync, readFileSync } from 'node:fs';
// Finding and watching the processes a test's own child started (Linux: /proc), so that a
// test kills and checks only those.

/** The processes whose parent is `pid`; with `cmdline`, only those whose command line holds it. */
export function childrenOf(pid: number, cmdline?: string): number[] {
  const out: number[] = [];
  for (const n of readdirSync('/proc')) {
    if (!/^\d+$/.test(n)) continue;
    try {
      const stat = readFileSync(`/proc/${n}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may hold spaces, so read after its closing parenthesis
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== pid) continue;
      if (cmdline === undefined || readFileSync(`/proc/${n}/cmdline`, 'utf8').includes(cmdline)) out.push(Number(n));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

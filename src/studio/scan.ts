// Finds the runs and sweeps under the directories `hwy studio` was given. The walk is the
// one `hwy check` does (node_modules and dot-directories skipped), with two bounds of its
// own: a directory is followed only when its real path lies inside the real path of the
// root it was found under (a link leading out of the tree is not followed, so nothing
// outside the given directories is ever read), and the walk stops after MAX_DIRS
// directories (a root of / must not hold the server up).
import { lstatSync, readdirSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';

export const MAX_DIRS = 20_000;
const MAX_DEPTH = 16;

export interface Root {
  /** As given on the command line (shown to the user). */
  given: string;
  /** Its real path: what everything found under it must stay inside. */
  real: string;
}

export interface FoundDir {
  /** Stable while the server runs: the root's index and the path under it. */
  id: string;
  /** The directory as the user would name it: the root as given, then the path under it. */
  dir: string;
  /** Its real path, checked to lie inside its root's. */
  real: string;
}

export interface ScanResult {
  runs: FoundDir[];
  sweeps: FoundDir[];
  /** Set when the walk stopped at MAX_DIRS. */
  truncated: boolean;
}

/** Whether `inner` is `outer` or lies under it (both real paths). */
export function inside(outer: string, inner: string): boolean {
  const rel = relative(outer, inner);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

const isFile = (p: string) => {
  try {
    return lstatSync(p).isFile();
  } catch {
    return false;
  }
};
const isDir = (p: string) => {
  try {
    return lstatSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** A run directory holds run.json (validated when read: a damaged one, or a link, shows as an error row). */
export const looksLikeRun = (dir: string) => {
  try {
    const st = lstatSync(join(dir, 'run.json'));
    return st.isFile() || st.isSymbolicLink();
  } catch {
    return false;
  }
};
/** A sweep directory holds sweep.json (written after each trial) or trials/ (records of finished trials). */
export const looksLikeSweep = (dir: string) => isFile(join(dir, 'sweep.json')) || isDir(join(dir, 'trials'));

export function scan(roots: Root[]): ScanResult {
  const out: ScanResult = { runs: [], sweeps: [], truncated: false };
  const seen = new Set<string>();
  let count = 0;
  roots.forEach((root, index) => {
    const walk = (real: string, rel: string, depth: number) => {
      if (seen.has(real)) return;
      if (count >= MAX_DIRS) {
        out.truncated = true;
        return;
      }
      seen.add(real);
      count++;
      const found = { id: rel ? `${index}/${rel}` : `${index}`, dir: rel ? join(root.given, rel) : root.given, real };
      if (looksLikeRun(real)) {
        out.runs.push(found); // its model/, best/ and tensorboard/ are the run's own: not walked
        return;
      }
      if (looksLikeSweep(real)) out.sweeps.push(found); // its runs/ are walked below
      if (depth >= MAX_DEPTH) return;
      let entries;
      try {
        entries = readdirSync(real, { withFileTypes: true });
      } catch {
        return; // unreadable: nothing of hwy's to show there
      }
      for (const d of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        if (d.name.startsWith('.') || d.name === 'node_modules') continue;
        if (!d.isDirectory() && !d.isSymbolicLink()) continue;
        let target: string;
        try {
          target = realpathSync(join(real, d.name));
        } catch {
          continue; // a broken link
        }
        if (!inside(root.real, target) || !isDir(target)) continue;
        walk(target, rel ? `${rel}/${d.name}` : d.name, depth + 1);
      }
    };
    walk(root.real, '', 0);
  });
  return out;
}

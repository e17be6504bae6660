// One writer per directory (a run directory, a sweep directory), whatever engine trains.
//
// The lock is proper-lockfile's: an atomic mkdir of DIR/.hwy.lock whose mtime the holder
// refreshes, so that a lock nobody refreshes any more goes stale. Beside it, DIR/.hwy.lock.json
// names the holder (pid, host, command, start time), so that a refusal can say who holds
// it, and so that a lock left by a process that no longer exists on this host (SIGKILL,
// power loss) is taken over at once instead of after the stale time.
import lockfile from 'proper-lockfile';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { existsSync, lstatSync, rmSync, statSync, type Stats } from 'node:fs';
import { writeFileAtomic } from '../util/atomic.js';
import { describeFsError } from '../util/fs-errors.js';
import { kindOf } from '../util/read-regular.js';
import { LOCK_DIR, LOCK_OWNER, readRunBytes, RunDirError, RUN_FILE_BYTES } from './run-dir.js';

/** Who holds a lock, as recorded beside it. */
export interface LockOwner {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
}

/** A held lock; `release` is idempotent. */
export interface DirLock {
  readonly dir: string;
  readonly owner: LockOwner;
  release(): Promise<void>;
}

/** Another process holds the directory. */
export class DirLockedError extends RunDirError {
  constructor(
    message: string,
    readonly owner: LockOwner | undefined,
  ) {
    super(message);
  }
}

// A holder refreshes the lock every UPDATE_MS; one not refreshed for STALE_MS is taken
// over. Training can block the event loop for a while (a long synchronous data load, big
// steps between reads), so the stale time is generous: a dead holder on this host is
// detected by its pid long before.
const STALE_MS = 5 * 60_000;
const UPDATE_MS = 15_000;

function readOwner(dir: string): LockOwner | undefined {
  try {
    const o = JSON.parse(readRunBytes(join(dir, LOCK_OWNER), RUN_FILE_BYTES.record, 'a lock record').toString('utf8')) as LockOwner;
    if (Number.isInteger(o?.pid) && typeof o.host === 'string') return o;
  } catch {
    // missing (the holder has not written it yet, or was killed before) or torn: unknown holder
  }
  return undefined;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lock whose recorded holder ran on this host and no longer exists. */
function abandoned(dir: string, owner: LockOwner | undefined): boolean {
  if (!owner || owner.host !== hostname() || owner.pid === process.pid) return false;
  if (processAlive(owner.pid)) return false;
  // the owner file must belong to the lock there now, not to an older one: it is written
  // right after the lock directory is made
  try {
    return statSync(join(dir, LOCK_OWNER)).mtimeMs >= statSync(join(dir, LOCK_DIR)).birthtimeMs - 1000;
  } catch {
    return false;
  }
}

/** lstat, or undefined where nothing is there (a link is described as a link, not followed). */
function lstatOrNone(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/**
 * The lock's two names must be hwy's own kinds: DIR/.hwy.lock a directory, DIR/.hwy.lock.json
 * a regular file. Anything else there (a file, a link, a FIFO) would read as a lock held
 * forever, or fail inside the lock library with its own words: say what is there instead.
 */
function checkLockPaths(dir: string): void {
  const remove = () => `remove it if no hwy process is writing to '${dir}'`;
  const lock = join(dir, LOCK_DIR);
  const l = lstatOrNone(lock);
  if (l && !l.isDirectory()) throw new RunDirError(`'${lock}' is ${l.isSymbolicLink() ? 'a symbolic link' : kindOf(l) ?? 'a regular file'}, where hwy keeps the lock of '${dir}' (a directory it makes itself): ${remove()}`);
  const ownerPath = join(dir, LOCK_OWNER);
  const o = lstatOrNone(ownerPath);
  if (o && !o.isFile()) throw new RunDirError(`'${ownerPath}' is ${o.isSymbolicLink() ? 'a symbolic link' : kindOf(o)}, where hwy records who holds the lock of '${dir}' (a file it writes itself): ${remove()}`);
}

/** A lock directory whose holder never recorded itself: when it was made, and what to do. */
function unrecordedHolder(dir: string): string {
  const lock = join(dir, LOCK_DIR);
  const made = lstatOrNone(lock)?.mtime;
  return `another hwy process, which has not recorded which${made ? ` (the lock ${lock} was last refreshed at ${made.toISOString()}; hwy takes over a lock not refreshed for ${STALE_MS / 60_000} minutes)` : ''}; if no hwy process is writing there, remove ${lock}`;
}

function describeOwner(o: LockOwner | undefined, dir?: string): string {
  if (!o) return dir ? unrecordedHolder(dir) : 'another hwy process (it has not recorded which yet)';
  return `another hwy process: pid ${o.pid}${o.host !== hostname() ? ` on ${o.host}` : ''} (${o.command}), running since ${o.startedAt}`;
}

export interface LockOptions {
  /** What the holder is doing, recorded for refusals (default: the command line). */
  command?: string;
  /** What the directory is, in refusals: 'run directory', 'sweep directory'. */
  what?: string;
  /** Told when the lock could not be refreshed in time (another process may take it over). */
  log?: (message: string) => void;
}

/**
 * Takes the lock of an existing directory, or refuses with a DirLockedError that names the
 * holder. The lock is released by `release`, and by proper-lockfile when the process exits.
 */
export async function lockDir(dir: string, opts: LockOptions = {}): Promise<DirLock> {
  const what = opts.what ?? 'run directory';
  const owner: LockOwner = { pid: process.pid, host: hostname(), command: opts.command ?? ['hwy', ...process.argv.slice(2)].join(' '), startedAt: new Date().toISOString() };
  const take = () =>
    lockfile.lock(dir, {
      lockfilePath: join(dir, LOCK_DIR),
      realpath: false,
      stale: STALE_MS,
      update: UPDATE_MS,
      retries: 0,
      onCompromised: (e) => (opts.log ?? ((m) => process.stderr.write(`hwy: ${m}\n`)))(`the lock of ${what} '${dir}' could not be refreshed (${e.message}); another process may now write there`),
    });
  checkLockPaths(dir);
  // the lock library's own words for a stale lock directory it could not remove (rmdir of one holding files)
  const cannotLock = (e: unknown) =>
    new RunDirError(
      (e as NodeJS.ErrnoException).code === 'ENOTEMPTY'
        ? `cannot lock ${what} '${dir}' for writing: its lock ${join(dir, LOCK_DIR)} is old and holds files hwy did not put there; remove it if no hwy process is writing to '${dir}'`
        : `cannot lock ${what} '${dir}' for writing: ${describeFsError(e)}`,
    );
  let unlock: () => Promise<void>;
  try {
    unlock = await take();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw cannotLock(e);
    const holder = readOwner(dir);
    if (!abandoned(dir, holder)) throw new DirLockedError(`${what} '${dir}' is in use by ${describeOwner(holder, dir)}${holder ? '; wait for it to finish or stop it' : ''}`, holder);
    // Its holder is gone (killed): take the lock over. Two processes doing this at the same
    // moment race only as proper-lockfile's own stale takeover does: one mkdir wins.
    rmSync(join(dir, LOCK_DIR), { recursive: true, force: true });
    try {
      unlock = await take();
    } catch (e2) {
      if ((e2 as NodeJS.ErrnoException).code === 'ELOCKED') throw new DirLockedError(`${what} '${dir}' is in use by ${describeOwner(readOwner(dir))}; wait for it to finish or stop it`, readOwner(dir));
      throw cannotLock(e2);
    }
  }
  writeFileAtomic(join(dir, LOCK_OWNER), JSON.stringify(owner, null, 2) + '\n');
  let released = false;
  return {
    dir,
    owner,
    async release() {
      if (released) return;
      released = true;
      // the owner file first: once the lock is gone, the next holder writes its own
      const mine = readOwner(dir);
      if (mine && mine.pid === owner.pid && mine.startedAt === owner.startedAt) rmSync(join(dir, LOCK_OWNER), { force: true });
      if (existsSync(join(dir, LOCK_DIR))) await unlock().catch(() => {});
    },
  };
}

/** Whether another live process holds DIR's lock: its recorded holder (or null when unrecorded); undefined when free, stale, or left by a process of this host that is gone. */
export async function lockHolder(dir: string): Promise<LockOwner | null | undefined> {
  let held: boolean;
  try {
    held = await lockfile.check(dir, { lockfilePath: join(dir, LOCK_DIR), realpath: false, stale: STALE_MS });
  } catch {
    return undefined; // not a lock hwy can read: lockDir says what is there
  }
  if (!held) return undefined;
  const owner = readOwner(dir);
  if (owner?.pid === process.pid && owner.host === hostname()) return owner;
  return abandoned(dir, owner) ? undefined : (owner ?? null);
}

/**
 * Waits while another process holds DIR's lock: a shared sweep's worker taking over a trial
 * whose worker on another machine died, whose lock is taken over only once it is stale (a
 * dead holder on this host is seen at once). Returns when the lock is free, stale or
 * abandoned, when `shouldStop` says so, or after `timeoutMs` (default: a little over the
 * stale time); taking the lock then says who holds it, if anyone still does.
 */
export async function waitUnlocked(dir: string, opts: { what?: string; log?: (message: string) => void; timeoutMs?: number; pollMs?: number; shouldStop?: () => boolean } = {}): Promise<void> {
  const end = Date.now() + (opts.timeoutMs ?? STALE_MS + 30_000);
  let told = false;
  for (;;) {
    const holder = await lockHolder(dir);
    if (holder === undefined || Date.now() >= end || opts.shouldStop?.()) return;
    if (!told) {
      told = true;
      opts.log?.(`waiting for ${opts.what ?? 'run directory'} '${dir}', in use by ${describeOwner(holder ?? undefined, dir)} (a lock not refreshed for ${STALE_MS / 60_000} minutes is taken over)`);
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 1000));
  }
}

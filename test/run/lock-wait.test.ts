// Who holds a directory's lock, and waiting for it: what a shared sweep's worker does before
// it continues a run taken over from another worker, which on another machine may hold the
// run's lock until the lock goes stale.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockDir, lockHolder, waitUnlocked } from '../../src/run/lock.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'hwy-lock-wait-'));

/** A lock as another hwy process leaves it: the lock directory, and the record of its holder. */
function foreignLock(dir: string, owner: { pid: number; host: string }): void {
  mkdirSync(join(dir, '.hwy.lock'));
  writeFileSync(join(dir, '.hwy.lock.json'), JSON.stringify({ ...owner, command: 'hwy sweep s.hwy', startedAt: new Date().toISOString() }));
}

describe('lockHolder', () => {
  it('free: undefined; held here: its holder; held on another machine: that holder; left by a process of this host that is gone: undefined', async () => {
    const free = fresh();
    expect(await lockHolder(free)).toBeUndefined();
    const mine = fresh();
    const lock = await lockDir(mine);
    expect(await lockHolder(mine)).toMatchObject({ pid: process.pid, host: hostname() });
    await lock.release();
    expect(await lockHolder(mine)).toBeUndefined();
    const remote = fresh();
    foreignLock(remote, { pid: 4242, host: 'elsewhere.example' });
    expect(await lockHolder(remote)).toMatchObject({ pid: 4242, host: 'elsewhere.example' });
    const dead = fresh();
    // a PID above the kernel's limit belongs to no process
    foreignLock(dead, { pid: 2 ** 22 + 1, host: hostname() });
    expect(await lockHolder(dead)).toBeUndefined();
  });
});

describe('waitUnlocked', () => {
  it('returns at once for a free directory, waits while another machine holds it, and returns once the lock is gone', async () => {
    const free = fresh();
    let t0 = Date.now();
    await waitUnlocked(free, { pollMs: 20 });
    expect(Date.now() - t0).toBeLessThan(1000);
    const held = fresh();
    foreignLock(held, { pid: 4242, host: 'elsewhere.example' });
    const said: string[] = [];
    t0 = Date.now();
    setTimeout(() => rmSync(join(held, '.hwy.lock'), { recursive: true }), 600);
    await waitUnlocked(held, { pollMs: 20, log: (m) => said.push(m) });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(550);
    expect(said).toEqual([`waiting for run directory '${held}', in use by another hwy process: pid 4242 on elsewhere.example (hwy sweep s.hwy), running since ${said[0].match(/running since (\S+) /)![1]} (a lock not refreshed for 5 minutes is taken over)`]);
  });

  it('gives up after its time, and when told to stop', async () => {
    const held = fresh();
    foreignLock(held, { pid: 4242, host: 'elsewhere.example' });
    let t0 = Date.now();
    await waitUnlocked(held, { pollMs: 20, timeoutMs: 300 });
    expect(Date.now() - t0).toBeLessThan(2000);
    t0 = Date.now();
    await waitUnlocked(held, { pollMs: 20, shouldStop: () => Date.now() - t0 > 200 });
    expect(Date.now() - t0).toBeLessThan(2000);
    // still held: taking the lock names the holder
    await expect(lockDir(held)).rejects.toThrow(/in use by another hwy process: pid 4242 on elsewhere\.example/);
  });
});

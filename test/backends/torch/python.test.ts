import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineUnavailable, findPython } from '../../../src/backends/torch/python.js';
import { pythonOrReason } from './cases.js';

const { python, reason } = pythonOrReason();
const work = mkdtempSync(join(tmpdir(), 'hwy-python-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** An executable script standing in for an interpreter. */
function fake(name: string, body: string): string {
  const p = join(work, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}

function failure(f: () => unknown): EngineUnavailable {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(EngineUnavailable);
    return e as EngineUnavailable;
  }
  throw new Error('expected EngineUnavailable');
}

describe('finding a Python with torch', () => {
  it('none usable: one line naming each candidate and why, and how to install', () => {
    const crashes = fake('crashes', 'echo "Traceback (most recent call last):" >&2; echo "SystemError: boom" >&2; exit 1');
    const e = failure(() => findPython({ env: { PATH: work }, candidates: [join(work, 'absent'), crashes] }));
    expect(e.message.split('\n')).toHaveLength(1);
    expect(e.message).toContain(`${join(work, 'absent')} was not found`);
    expect(e.message).toContain(`${crashes} exited with 1 (SystemError: boom)`);
    expect(e.message).toContain('apt-get install python3-torch libopenblas0-pthread');
    expect(e.message).toContain('pip install torch');
    expect(e.message).toContain('HWY_PYTHON');
    expect(e.message).not.toContain('Traceback');
  });

  it('HWY_PYTHON that cannot be used is an error, not a reason to use another Python', () => {
    const e = failure(() => findPython({ env: { PATH: process.env.PATH, HWY_PYTHON: join(work, 'nope') } }));
    expect(e.message).toMatch(/^HWY_PYTHON=\S+nope cannot run the torch engine: it was not found; install it with/);
  });

  describe.skipIf(!python)(python ? `with a real Python (${python.path})` : `with a real Python: SKIPPED, ${reason}`, () => {
    it('a Python without torch is reported as such', () => {
      // the real interpreter, with torch made unimportable
      const noTorch = fake('no-torch', `exec ${python!.path} -c 'import sys; sys.modules["torch"] = None; exec(sys.argv[2])' "$@"`);
      const e = failure(() => findPython({ env: { PATH: process.env.PATH, HWY_PYTHON: noTorch } }));
      expect(e.message).toContain('has no torch module');
    });

    it('HWY_PYTHON first; otherwise the first candidate that imports torch', () => {
      const viaEnv = findPython({ env: { PATH: process.env.PATH, HWY_PYTHON: python!.path } });
      expect(viaEnv).toEqual({ path: python!.path, torch: python!.torch, source: 'HWY_PYTHON' });
      expect(viaEnv.torch).toMatch(/^\d+\.\d+/);
      const searched = findPython({ env: { PATH: process.env.PATH }, candidates: [join(work, 'absent'), python!.path] });
      expect(searched).toEqual({ path: python!.path, torch: python!.torch, source: 'search' });
    });
  });
});

describe("a probe's failure in plain words", () => {
  it('an interpreter that floods its output is said to, not ENOBUFS', () => {
    const loud = fake('loud', "head -c 2000000 /dev/zero | tr '\\\\0' x");
    const e = failure(() => findPython({ env: { HWY_PYTHON: loud, PATH: process.env.PATH } }));
    expect(e.message).toMatch(new RegExp(`^HWY_PYTHON=${loud} cannot run the torch engine: it printed more than hwy reads from it \\(over 1 MiB\\);`));
    expect(e.message).not.toContain('ENOBUFS');
  });

  it('something that answers but is not Python is named', () => {
    const other = fake('other', 'echo hello');
    const e = failure(() => findPython({ env: { HWY_PYTHON: other, PATH: process.env.PATH } }));
    expect(e.message).toMatch(new RegExp(`^HWY_PYTHON=${other} cannot run the torch engine: it is not a Python interpreter \\(it printed 'hello'\\);`));
  });
});

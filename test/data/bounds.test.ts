import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadMnistIdx, readIdx } from '../../src/data/idx.js';
import { checkDataFits } from '../../src/run/session.js';
import { loadData } from '../../src/data/index.js';
import { loadCifar10 } from '../../src/data/cifar.js';
import { DataError } from '../../src/data/dataset.js';
import { checkedIr, compileText, idxBytes } from '../helpers.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'hwy-bounds-'));
const fifo = (dir: string, name: string) => {
  const p = join(dir, name);
  execFileSync('mkfifo', [p]);
  return p;
};

describe('decompression is bounded by what the IDX header promises', () => {
  it('a gzip bomb behind a small header is stopped at the promised size, naming the file', () => {
    const d = tmp();
    // header for 3x2x2 bytes, then 16 MB of zeros: 16 KB gzipped
    const bomb = gzipSync(Buffer.concat([idxBytes([3, 2, 2], Array(12).fill(1)), Buffer.alloc(16 * 2 ** 20)]));
    expect(bomb.length).toBeLessThan(2 ** 20);
    writeFileSync(join(d, 'x.gz'), bomb);
    expect(() => readIdx(join(d, 'x.gz'))).toThrow(/x\.gz: unpacks to more than the 28 bytes its IDX header promises \(3x2x2\)/);
  });

  it('a header that promises more than any data set is refused before unpacking', () => {
    const d = tmp();
    writeFileSync(join(d, 'x.gz'), gzipSync(idxBytes([65536, 65536], [])));
    expect(() => readIdx(join(d, 'x.gz'))).toThrow(/x\.gz: the IDX header promises 65536x65536 bytes, more than the 1 GiB hwy reads/);
  });

  it('any gzipped IDX file gives exactly its data or a DataError naming it (never more than promised)', () => {
    const d = tmp();
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }), fc.integer({ min: -5, max: 5000 }), (dims, extra) => {
        const n = dims.reduce((a, b) => a * b, 1);
        const raw = idxBytes(dims, Array.from({ length: Math.max(0, n + extra) }, (_, i) => i % 251));
        const path = join(d, 'p.gz');
        writeFileSync(path, gzipSync(raw));
        if (extra === 0) expect(readIdx(path).data.length).toBe(n);
        else expect(() => readIdx(path)).toThrow(DataError);
        if (extra > 0) expect(() => readIdx(path)).toThrow(`unpacks to more than the ${4 + 4 * dims.length + n} bytes`);
      }),
      { numRuns: 60 },
    );
  });
});

describe('data files must be regular files', () => {
  it('a FIFO or /dev/zero as an IDX file is refused at once, named', () => {
    const d = tmp();
    expect(() => readIdx(fifo(d, 'train-images-idx3-ubyte'))).toThrow(/train-images-idx3-ubyte' is a named pipe \(FIFO\), not an IDX file/);
    expect(() => readIdx('/dev/zero')).toThrow(`'/dev/zero' is a character device, not an IDX file`);
  });

  it('a CIFAR batch: a FIFO is refused, and so is a file larger than the published batch', () => {
    const d = tmp();
    mkdirSync(join(d, 'cifar-10-batches-bin'));
    const rec = Buffer.concat([Buffer.from([1]), Buffer.alloc(3072)]);
    for (let i = 1; i <= 5; i++) writeFileSync(join(d, `cifar-10-batches-bin/data_batch_${i}.bin`), rec);
    fifo(join(d, 'cifar-10-batches-bin'), 'test_batch.bin');
    expect(() => loadCifar10(d)).toThrow(/test_batch\.bin' is a named pipe \(FIFO\), not a CIFAR-10 batch/);
    const big = Buffer.alloc(10_001 * 3073);
    writeFileSync(join(d, 'cifar-10-batches-bin/data_batch_1.bin'), big);
    expect(() => loadCifar10(d)).toThrow(/data_batch_1\.bin' is 30,733,073 bytes; a CIFAR-10 batch may be at most 30,730,000 bytes \(10,000 records of 3073 bytes, as published\)/);
  });
});

describe('test images that no network can read', () => {
  const mnistDir = (testDims: number[]) => {
    const d = tmp();
    writeFileSync(join(d, 'train-images-idx3-ubyte'), idxBytes([20, 4, 4], Array(320).fill(7)));
    writeFileSync(join(d, 'train-labels-idx1-ubyte'), idxBytes([20], Array.from({ length: 20 }, (_, i) => i % 10)));
    writeFileSync(join(d, 't10k-images-idx3-ubyte'), idxBytes(testDims, Array(testDims.reduce((a, b) => a * b, 1)).fill(3)));
    writeFileSync(join(d, 't10k-labels-idx1-ubyte'), idxBytes([testDims[0]], Array(testDims[0]).fill(1)));
    return d;
  };

  it('IDX images of 0x0 pixels are refused by name when loaded', () => {
    const d = mnistDir([5, 0, 0]);
    expect(() => loadMnistIdx(d)).toThrow(new DataError(`${join(d, 't10k-images-idx3-ubyte')}: its header describes images of 0x0 pixels: not images a network can read`));
  });

  it('test images of another size than the training images are refused before anything is evaluated', () => {
    const { trainval, test } = loadMnistIdx(mnistDir([5, 3, 3]));
    const ir = checkedIr(compileText('network n {\n  input 4x4x1\n  flatten\n  dense 10 softmax\n}\n'));
    const data = { train: trainval, validation: trainval, test, source: 'test' };
    expect(() => checkDataFits(ir, data)).toThrow(/^the data set's test examples are 3x3x1, but its training examples \(and the network's input\) are 4x4x1: the test files do not belong to this data set$/);
  });
});

describe('.npy files that are there but not arrays are named for what they are, not "missing"', () => {
  const cfg = (path: string) => ({ name: 'npy' as const, path, normalize: 'scale' as const, augment: [], validation: 0.1 });
  const network = () => checkedIr(compileText('network n {\n  input 4x4x1\n  flatten\n  dense 10 softmax\n}\n'));
  for (const [what, make, kind] of [
    ['a link to /dev/zero', (p: string) => symlinkSync('/dev/zero', p), 'a character device'],
    ['a FIFO', (p: string) => execFileSync('mkfifo', [p]), 'a named pipe (FIFO)'],
    ['a directory', (p: string) => mkdirSync(p), 'a directory'],
  ] as const) {
    it(`x_train.npy as ${what}`, async () => {
      const d = tmp();
      make(join(d, 'x_train.npy'));
      writeFileSync(join(d, 'y_train.npy'), 'not read');
      await expect(loadData(cfg(d), undefined, { network: network() })).rejects.toThrow(new DataError(`'${join(d, 'x_train.npy')}' is ${kind}, not an .npy file`));
    });
  }

  it('an optional x_test.npy that is a FIFO is named too, not taken for absent', async () => {
    const d = tmp();
    writeFileSync(join(d, 'x_train.npy'), 'not read');
    writeFileSync(join(d, 'y_train.npy'), 'not read');
    writeFileSync(join(d, 'y_test.npy'), 'not read');
    fifo(d, 'x_test.npy');
    await expect(loadData(cfg(d), undefined, { network: network() })).rejects.toThrow(`'${join(d, 'x_test.npy')}' is a named pipe (FIFO), not an .npy file`);
  });
});

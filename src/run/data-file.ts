// The NumPy data a run was trained on, found again. A path as given (`--data d.npz`, or the
// spec's `data npz "d.npz"`) is relative to the directory training started in, so a resume,
// eval, analyze or export from elsewhere would read another file, or the same path after
// the file changed: other data, silently. run.json keeps the absolute path and the content
// hash; whoever reads the run's data reads that path and refuses a file whose hash differs.
import { isAbsolute, resolve } from 'node:path';
import type { TrainConfig } from '../ir/types.js';
import { DataError, loadData, numpyDigest, type Splits } from '../data/index.js';
import type { LoadOptions } from '../data/index.js';
import type { DataFileRecord, RunRecord } from './run-dir.js';

const isNumpy = (d: TrainConfig['data']): d is TrainConfig['data'] & { name: 'npz' | 'npy'; path: string } => (d.name === 'npz' || d.name === 'npy') && d.path !== undefined;

/** What run.json records of a new run's NumPy data (undefined for the named data sets), hashed before it is read. */
export async function dataFileRecord(data: TrainConfig['data']): Promise<DataFileRecord | undefined> {
  if (!isNumpy(data)) return undefined;
  // read by the path as given, so that a problem names the file as the person wrote it
  const sha256 = await numpyDigest(data.name, data.path);
  return { path: resolve(data.path), sha256 };
}

/** Does a --data path given to a resume name the file the run recorded? */
export function sameDataPath(record: RunRecord, path: string): boolean {
  return record.dataFile ? resolve(path) === record.dataFile.path : path === record.config.data.path;
}

/**
 * The run's own data config, its NumPy path made the recorded absolute one after its content
 * was checked against the recorded hash. Runs without a record of it (named data sets, runs
 * from before hwy kept one) are read as they were: the path from the working directory.
 */
export async function runDataConfig(record: RunRecord, runDir: string, doing: 'resume' | 'evaluate' | 'analyze' | 'export'): Promise<TrainConfig['data']> {
  const cfg = record.config.data;
  const f = record.dataFile;
  if (!f || !isNumpy(cfg)) return cfg;
  if (!isAbsolute(f.path)) throw new DataError(`${runDir}/run.json records its data at '${f.path}', which is not an absolute path`);
  let now: string;
  try {
    now = await numpyDigest(cfg.name, f.path);
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    throw new DataError(`${runDir} was trained on ${f.path}, which cannot be read now (${e.message}): put the data back there to ${doing} the run${doing === 'evaluate' ? ', or name other data with --data' : ''}`);
  }
  if (now !== f.sha256) {
    throw new DataError(
      `${f.path} has changed since ${runDir} was trained on it (sha256 ${f.sha256.slice(0, 12)}… then, ${now.slice(0, 12)}… now): hwy will not ${doing} the run on other data; ` +
        (doing === 'resume' ? 'restore the file, or train a new run on it with --out' : doing === 'evaluate' ? 'restore the file, or evaluate on it explicitly with --data' : 'restore the file'),
    );
  }
  return { ...cfg, path: f.path };
}

/** The run's data, read from where run.json says and checked as runDataConfig does. */
export async function loadRunData(record: RunRecord, runDir: string, doing: 'resume' | 'evaluate' | 'analyze' | 'export', dataDir: string | undefined, opts: LoadOptions = {}): Promise<Splits> {
  return loadData(await runDataConfig(record, runDir, doing), dataDir, opts);
}

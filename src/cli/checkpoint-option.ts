import { Option } from 'commander';
import { UsageError } from './errors.js';

export type CheckpointChoice = 'latest' | 'best';

/** --checkpoint latest|best for the commands that read a run's weights (eval, analyze, export). */
export function checkpointOption(what = "latest (model/, the default: where training stands) or best (best/, the best epoch by the run's monitored metric)", byDefault: CheckpointChoice | undefined = 'latest'): Option {
  return new Option('--checkpoint <which>', what)
    .default(byDefault)
    .argParser((v: string): CheckpointChoice => {
      if (v !== 'latest' && v !== 'best') throw new UsageError(`--checkpoint must be latest or best, not '${v}'`);
      return v;
    });
}

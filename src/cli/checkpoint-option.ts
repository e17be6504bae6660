import { Option } from 'commander';
import { notAChoice } from './choice.js';

export type CheckpointChoice = 'latest' | 'best';

/** --checkpoint latest|best for the commands that read a run's weights (eval, analyze, export). */
export function checkpointOption(what = "latest (model/, the default: where training stands) or best (best/, the best epoch by the run's monitored metric)", opts: { defaultLatest: boolean } = { defaultLatest: true }): Option {
  const option = new Option('--checkpoint <which>', what);
  // export leaves it unset, to tell a spec (where the flag means nothing) from a run
  if (opts.defaultLatest) option.default('latest');
  return option.argParser((v: string): CheckpointChoice => {
      if (v !== 'latest' && v !== 'best') throw notAChoice(`--checkpoint must be latest or best, not '${v}'`, v, ['latest', 'best']);
      return v;
    });
}

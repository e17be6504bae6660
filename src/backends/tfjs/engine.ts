// The tfjs engine: trains in this process with TensorFlow.js on the chosen backend.
import { EngineUnavailable, type Engine, type PreparedEngine } from '../engine.js';
import type { BackendChoice } from './backend-choice.js';

export const tfjsEngine: Engine = {
  name: 'tfjs',
  async prepare(opts): Promise<PreparedEngine> {
    if (opts.nproc !== undefined && opts.nproc !== 1) throw new EngineUnavailable(`--nproc ${opts.nproc}: the tfjs engine trains in one process; data-parallel training needs --engine torch`);
    if (opts.threads !== undefined) throw new EngineUnavailable('--threads: the tfjs engine cannot set its thread count (the wasm backend runs on one thread in Node); use --engine torch');
    const { selectBackend, BackendUnavailable } = await import('./runtime.js');
    let runtime;
    try {
      runtime = await selectBackend(opts.device as BackendChoice);
    } catch (e) {
      if (e instanceof BackendUnavailable) throw new EngineUnavailable(e.message.replace(/^--backend /, '--device '));
      throw e;
    }
    return {
      info: { engine: 'tfjs', device: runtime.kind, reason: runtime.reason },
      async train(args) {
        const { lowerToModel } = await import('./lower.js');
        const { loadModel, loadOptimizerState } = await import('./checkpoint.js');
        const { disposeOptimizer, makeOptimizer, train } = await import('./train.js');
        const model = args.resumeFrom ? await loadModel(args.resumeFrom) : lowerToModel(args.ir, { seed: args.config.seed });
        const optimizer = makeOptimizer(args.config);
        try {
          if (args.resumeFrom) await loadOptimizerState(args.resumeFrom, optimizer);
          return await train({ ir: args.ir, model, optimizer, config: args.config, data: args.data, sink: args.sink, state: args.state, hooks: args.hooks });
        } finally {
          model.dispose();
          disposeOptimizer(optimizer);
        }
      },
    };
  },
};

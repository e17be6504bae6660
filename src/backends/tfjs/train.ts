// `hwy train`'s side of the tfjs training loop (loop.ts): its checkpoints go into the run
// directory through the RunSink.
import type { RunSink, TrainOutcome } from '../engine.js';
import { writeCheckpoint } from './checkpoint.js';
import { trainLoop, type LoopArgs } from './loop.js';

export * from './loop.js';

export interface TrainArgs extends Omit<LoopArgs, 'sink'> {
  /** Receives metrics and checkpoints. */
  sink: RunSink;
}

/** The training loop with an atomic checkpoint of model and optimizer in the run directory every epoch (and on a stop). */
export function train(args: TrainArgs): Promise<TrainOutcome> {
  const { model, optimizer, sink } = args;
  return trainLoop({
    ...args,
    sink: {
      async save(state) {
        await writeCheckpoint(sink.stageCheckpoint(), model, optimizer);
        sink.commitCheckpoint(state);
      },
      appendMetrics: (line) => sink.appendMetrics(line),
    },
  });
}

// A test double of the trainer contract (src/playground/train/api.ts), for the training
// panel's browser test: steps on a timer, a falling loss, gates that open with the epochs,
// and a fixed prediction. It trains nothing; the real trainer is train/trainer.ts.
import type { CreateTrainer, Trainer } from '../../src/playground/train/api.js';

export const createTrainer: CreateTrainer = async (opts) => {
  let epoch = 0;
  let stopped = false;
  const units = 8;
  const gated = opts.ir.layers.filter((l) => l.name.startsWith('highway')).map((l) => l.name);
  const trainer: Trainer = {
    backend: { name: 'cpu', why: `test trainer, seed ${opts.seed ?? 'of the spec'}, asked for ${opts.backend}` },
    async run(epochs, on) {
      stopped = false;
      for (let e = 0; e < epochs && !stopped; e++) {
        epoch++;
        for (let step = 1; step <= 3 && !stopped; step++) {
          await new Promise((r) => setTimeout(r, 60));
          on.step?.({ epoch, step, steps: 3, loss: 2 / (epoch + step / 3), samplesPerSec: 1234 });
        }
        if (stopped) break;
        on.epoch?.({
          epoch,
          loss: 2 / (epoch + 1),
          accuracy: 1 - 1 / (epoch + 1),
          valLoss: 2.2 / (epoch + 1),
          valAccuracy: 1 - 1.2 / (epoch + 1),
          samplesPerSec: 1234,
          gates: (gated.length ? gated : ['gate']).map((layer) => ({ layer, mean: Array.from({ length: units }, (_, i) => Math.min(1, (epoch * (i + 1)) / (units * 3))) })),
        });
      }
    },
    stop() {
      stopped = true;
    },
    predict(pixels) {
      const p = new Float32Array(10).fill(0.01);
      p[pixels.some((v) => v > 0) ? 7 : 0] = 0.91;
      return p;
    },
    async exportModel() {
      return [{ name: 'model.json', data: new Blob([JSON.stringify({ epochs: epoch })], { type: 'application/json' }) }];
    },
    dispose() {},
  };
  return trainer;
};

// The torch engine: trains in a Python child process with PyTorch (filled in next).
import { EngineUnavailable, type Engine } from '../engine.js';

export const torchEngine: Engine = {
  name: 'torch',
  async prepare() {
    throw new EngineUnavailable('the torch engine is not available yet');
  },
};

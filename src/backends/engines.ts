// The one place engines are registered: `hwy train --engine NAME` looks them up here.
import type { Engine, EngineName } from './engine.js';
import { tfjsEngine } from './tfjs/engine.js';
import { torchEngine } from './torch/engine.js';

export const ENGINES: Record<EngineName, Engine> = { tfjs: tfjsEngine, torch: torchEngine };

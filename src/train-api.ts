// The training API (loads tfjs): what benchmarks and programs that embed hwy use.
export { lowerToModel } from './backends/tfjs/lower.js';
export { selectBackend, type BackendChoice, type RuntimeInfo } from './backends/tfjs/runtime.js';
export { registerLayers, HighwayDense, HighwayConv2D, ResidualDense, ResidualConv2D, CeilMaxPooling2D, CeilAveragePooling2D, Dense, Dropout, withProbe, type Probe } from './backends/tfjs/layers.js';
export { train, evaluate, lossFn, makeOptimizer, learningRate } from './backends/tfjs/train.js';
export { loadModel, fileHandler, checkpointFiles } from './backends/tfjs/checkpoint.js';
export { runTraining, runEval } from './run/session.js';
export { loadData } from './data/index.js';
export { loadBundledMnist } from './data/mnist-bundled.js';
export { compile } from './core/compile.js';
export * as tf from '@tensorflow/tfjs-core';
export * as tfl from '@tensorflow/tfjs-layers';
export { gateStats, lesionErrors, conditionNumbers } from './analysis/probes.js';
export { permutation, subset } from './data/dataset.js';

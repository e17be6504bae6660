// The browser entry (`<package>/layers`): hwy's custom layers, registered with tfjs when
// this module loads, so that stock tfjs (`tf.loadLayersModel(url)`) rebuilds a model hwy
// saved. It imports tfjs-core and tfjs-layers (the page's or bundler's own copies) and
// nothing of Node; test/browser checks the built file.
import { registerLayers } from './backends/tfjs/layers.js';

registerLayers();

export { registerLayers, CUSTOM_LAYERS, HighwayDense, HighwayConv2D, ResidualDense, ResidualConv2D, CeilMaxPooling2D, CeilAveragePooling2D } from './backends/tfjs/layers.js';

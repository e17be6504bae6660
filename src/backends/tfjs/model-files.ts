// A model as the files of the tfjs LayersModel layout, in memory: checkpoints write them to a
// run directory (checkpoint.ts), the playground offers them as downloads.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** A model in the tfjs LayersModel file layout: model.json (topology + weights manifest) and weights.bin, as bytes. */
export async function modelFiles(model: tfl.LayersModel): Promise<{ modelJson: string; weights: Uint8Array }> {
  let modelJson = '';
  let weights = new Uint8Array();
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const data = a.weightData ? (Array.isArray(a.weightData) ? tf.io.concatenateArrayBuffers(a.weightData) : a.weightData) : new ArrayBuffer(0);
      weights = new Uint8Array(data);
      modelJson = JSON.stringify({
        modelTopology: a.modelTopology,
        format: a.format ?? 'layers-model',
        generatedBy: a.generatedBy,
        convertedBy: a.convertedBy ?? null,
        weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
      });
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return { modelJson, weights };
}

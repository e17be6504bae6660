// Classifies a digit drawn on the canvas with a model `hwy train` saved, loaded by stock
// tfjs (tf.loadLayersModel over HTTP) once hwy's layers entry has registered its layers.
//
// Query parameters:
//   model=URL   the model.json (default: the run of the README, runs/mlp-highway)
//   images=URL  a JSON file of images to classify, the results going into #results as JSON
//               (test/browser/ reads them): {"pixels": [[784 grey levels 0-255, row by row],
//               ...]}, each painted into the 28x28 input canvas and classified from there as a
//               drawing is, or {"x": [[784 values 0-1], ...]}, the network's inputs as they
//               are (for data whose pixels are not whole grey levels).
/* global tf, hwyLayers */
const params = new URLSearchParams(location.search);
const modelUrl = params.get('model') ?? '../../runs/mlp-highway/model/model.json';
const SIZE = 28;

const pad = document.getElementById('pad');
const padCtx = pad.getContext('2d');
const input = document.createElement('canvas');
input.width = input.height = SIZE;
const inputCtx = input.getContext('2d', { willReadFrequently: true });
const status = document.getElementById('status');
const results = document.getElementById('results');
let model;

function clearPad() {
  padCtx.fillStyle = '#000';
  padCtx.fillRect(0, 0, pad.width, pad.height);
  document.getElementById('probs').replaceChildren();
}

// Drawing: white strokes on black, as MNIST's digits are.
let last = null;
pad.addEventListener('pointerdown', (e) => {
  last = [e.offsetX, e.offsetY];
  pad.setPointerCapture(e.pointerId);
});
pad.addEventListener('pointermove', (e) => {
  if (!last) return;
  padCtx.strokeStyle = '#fff';
  padCtx.lineWidth = 18;
  padCtx.lineCap = 'round';
  padCtx.beginPath();
  padCtx.moveTo(...last);
  padCtx.lineTo(e.offsetX, e.offsetY);
  padCtx.stroke();
  last = [e.offsetX, e.offsetY];
});
pad.addEventListener('pointerup', () => {
  last = null;
});

/** The drawing as MNIST lays a digit out: its bounding box scaled into 20x20, centred in 28x28. */
function drawingToInput() {
  const { data, width, height } = padCtx.getImageData(0, 0, pad.width, pad.height);
  let [x0, y0, x1, y1] = [width, height, -1, -1];
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      if (data[4 * (y * width + x)] > 0) [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
  inputCtx.fillStyle = '#000';
  inputCtx.fillRect(0, 0, SIZE, SIZE);
  if (x1 < 0) return false;
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const scale = 20 / Math.max(w, h);
  inputCtx.drawImage(pad, x0, y0, w, h, (SIZE - w * scale) / 2, (SIZE - h * scale) / 2, w * scale, h * scale);
  return true;
}

/** Grey levels 0-255 of the 28x28 input canvas. */
function inputPixels() {
  const rgba = inputCtx.getImageData(0, 0, SIZE, SIZE).data;
  const grey = new Uint8Array(SIZE * SIZE);
  for (let i = 0; i < grey.length; i++) grey[i] = rgba[4 * i];
  return grey;
}

function paintInput(pixels) {
  const img = inputCtx.createImageData(SIZE, SIZE);
  pixels.forEach((v, i) => img.data.set([v, v, v, 255], 4 * i));
  inputCtx.putImageData(img, 0, 0);
}

/** Class probabilities of some 28x28 inputs (values 0-1). */
function predict(inputs) {
  return tf.tidy(() => model.predict(tf.tensor4d(inputs.flat(), [inputs.length, SIZE, SIZE, 1], 'float32')).arraySync());
}

/** Class probabilities of some 28x28 images (grey levels), scaled to 0-1 as hwy's normalize=scale does. */
function classify(images) {
  return tf.tidy(() => {
    const x = tf.div(tf.tensor4d(images.flatMap((p) => Array.from(p)), [images.length, SIZE, SIZE, 1], 'float32'), 255);
    return model.predict(x).arraySync();
  });
}

function show(probs) {
  const best = probs.indexOf(Math.max(...probs));
  const list = document.getElementById('probs');
  list.replaceChildren(
    ...probs.map((p, k) => {
      const li = document.createElement('li');
      li.textContent = `${(100 * p).toFixed(1)}%`;
      if (k === best) li.className = 'best';
      return li;
    }),
  );
  status.textContent = `it looks like a ${best}`;
}

async function main() {
  await tf.setBackend('cpu');
  model = await tf.loadLayersModel(modelUrl);
  const shape = model.inputs[0].shape.slice(1).join('x');
  if (shape !== '28x28x1') throw new Error(`the model takes ${shape} inputs; this page draws 28x28x1 digits`);
  status.textContent = `model loaded (${model.layers.length} layers, ${hwyLayers.CUSTOM_LAYERS.length} kinds of hwy layer registered); draw a digit`;
  clearPad();
  document.getElementById('clear').onclick = clearPad;
  document.getElementById('classify').onclick = () => {
    if (drawingToInput()) show(classify([inputPixels()])[0]);
  };
  const images = params.get('images');
  if (images) {
    const { pixels, x } = await (await fetch(images)).json();
    const probs = pixels
      ? classify(
          pixels.map((p) => {
            paintInput(p);
            return inputPixels();
          }),
        )
      : predict(x);
    const via = pixels ? 'canvas' : 'inputs';
    results.textContent = JSON.stringify({ backend: tf.getBackend(), via, layers: model.layers.map((l) => l.getClassName()), predictions: probs.map((p) => ({ class: p.indexOf(Math.max(...p)), probs: p })) });
    status.textContent = `classified ${probs.length} images`;
  }
}

main().catch((e) => {
  status.textContent = `error: ${e.message}`;
  results.textContent = JSON.stringify({ error: e.message });
});

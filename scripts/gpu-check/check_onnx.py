# The ONNX file hwy exported gives the same outputs in onnxruntime as the PyTorch job's model with the same weights.
import plain_warnings  # noqa: F401  (warnings without this machine's paths)
import importlib.util, json, os, sys, numpy as np, torch, onnxruntime as ort
here = os.path.dirname(os.path.abspath(__file__))
job = os.path.join(here, 'job-conv'); sys.path.insert(0, job)
import hwy_weights
spec = importlib.util.spec_from_file_location('model', os.path.join(job, 'model.py'))
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
cfg = json.load(open(os.path.join(job, 'config.json')))
net = m.Net().eval()
wm = cfg.get('weightMap') or cfg.get('weight_map')
hwy_weights.load_into(net, open(os.path.join(job, 'weights.bin'), 'rb').read(), wm)
x = np.random.RandomState(0).rand(16, 28, 28, 1).astype(np.float32)
with torch.no_grad():
    yt = net.probs(m.Net.from_ir_layout(torch.from_numpy(x))).numpy()  # the ONNX file keeps the tfjs interface
res = {}
for prov in ort.get_available_providers():
    if prov not in ('CPUExecutionProvider', 'CUDAExecutionProvider'): continue
    s = ort.InferenceSession(os.path.join(here, 'conv.onnx'), providers=[prov])
    yo = s.run(None, {s.get_inputs()[0].name: x})[0]
    res[prov] = float(np.abs(yo - yt).max())
res['argmax_equal'] = bool((yo.argmax(1) == yt.argmax(1)).all())
print(json.dumps(res)); json.dump(res, open(os.path.join(os.environ.get('OUT', '.'), 'onnx.json'), 'w'))

"""The torch half of the cross-engine tests: one process for all cases of a test file.

argv[1]: job.json = {"python_dir": folder of hwy_weights.py, "cases": [...], "pool_sizes": [[n, k, s], ...]}.
Each case folder holds model.py (hwy compile --emit pytorch), map.json (the weight map),
weights.bin (tfjs weights), x.bin / y.bin (float32 inputs and one-hot targets) and gets:
out.bin, grads.bin, roundtrip.bin, step_<name>.bin, fresh.bin, fresh_out.bin, result.json.
Tensors are written in tfjs layout and manifest order (through hwy_weights), so the Node
side compares bytes it already knows how to read.
"""
import importlib.util
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

job = json.load(open(sys.argv[1]))
sys.path.insert(0, job['python_dir'])
import hwy_weights as hw  # noqa: E402
import hwy_train as ht  # noqa: E402

torch.set_num_threads(1)


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read(path, shape):
    return torch.from_numpy(np.fromfile(path, dtype='<f4').reshape(shape))


def write(path, data):
    with open(path, 'wb') as f:
        f.write(data)


def tensor_bytes(t):
    return t.detach().contiguous().numpy().astype('<f4').tobytes()


def ir_layout(t):
    # NCHW maps back to the IR's (tfjs's) NHWC
    return t.permute(0, 2, 3, 1) if t.dim() == 4 else t


def loss_of(net, x, y):
    # the tfjs engine's loss: mean over examples of -sum(y log p); x and y in the IR's layout
    return -(y * ir_layout(net.log_probs(net.from_ir_layout(x)))).sum(-1).mean()


def tfjs_output(net, x):
    # what the tfjs model outputs (probabilities or logits), in the IR's layout
    xin = net.from_ir_layout(x)
    return ir_layout(net.probs(xin) if net.output_kind == 'probabilities' else net(xin))


def net_with(module, weights, wmap):
    net = module.Net()
    hw.load_into(net, weights, wmap)
    # dropout off in both engines: its masks are drawn differently
    net.eval()
    return net


for i, case in enumerate(job['cases']):
    d = case['dir']
    module = load_module(os.path.join(d, 'model.py'), 'hwy_case_%d' % i)
    wmap = json.load(open(os.path.join(d, 'map.json')))
    weights = open(os.path.join(d, 'weights.bin'), 'rb').read()
    x = read(os.path.join(d, 'x.bin'), case['x_shape'])
    y = read(os.path.join(d, 'y.bin'), case['y_shape'])
    result = {}

    net = net_with(module, weights, wmap)
    result['state_keys'] = list(net.state_dict().keys())
    with torch.no_grad():
        out = tfjs_output(net, x)
    result['out_shape'] = list(out.shape)
    write(os.path.join(d, 'out.bin'), tensor_bytes(out))

    net.zero_grad()
    loss = loss_of(net, x, y)
    loss.backward()
    result['loss'] = loss.item()
    write(os.path.join(d, 'grads.bin'), hw.state_dict_to_tfjs({k: p.grad for k, p in net.named_parameters()}, wmap))

    write(os.path.join(d, 'roundtrip.bin'), hw.state_dict_to_tfjs(hw.tfjs_to_state_dict(weights, wmap), wmap))

    for opt in case['optimizers']:
        net = net_with(module, weights, wmap)
        # the torch engine's own optimizers, built as it builds them
        o = ht.make_optimizer(net, opt['optimizer'], opt['lr'], ht.kernel_keys_of(wmap))
        for lr in opt['lrs']:
            for g in o.param_groups:
                g['lr'] = lr
            o.zero_grad()
            loss_of(net, x, y).backward()
            o.step()
        write(os.path.join(d, 'step_%s.bin' % opt['name']), hw.state_dict_to_tfjs(net.state_dict(), wmap))

    # the module's own initialisation, written as a tfjs weights.bin
    torch.manual_seed(case.get('seed', 0))
    fresh = module.Net().eval()
    fresh_bytes = hw.state_dict_to_tfjs(fresh.state_dict(), wmap)
    write(os.path.join(d, 'fresh.bin'), fresh_bytes)
    back = module.Net()
    hw.load_into(back, fresh_bytes, wmap)
    result['fresh_roundtrip'] = all(torch.equal(a, back.state_dict()[k]) for k, a in fresh.state_dict().items())
    with torch.no_grad():
        write(os.path.join(d, 'fresh_out.bin'), tensor_bytes(tfjs_output(fresh, x)))
    json.dump(result, open(os.path.join(d, 'result.json'), 'w'))

# PyTorch's ceil_mode output size against the IR's rule (windowOut), for max and avg pooling
sizes = []
for n, k, s in job.get('pool_sizes', []):
    x = torch.zeros(1, 1, n, n)
    sizes.append([F.max_pool2d(x, k, s, ceil_mode=True).shape[-1], F.avg_pool2d(x, k, s, ceil_mode=True).shape[-1]])
json.dump({'pool_sizes': sizes}, open(os.path.join(job['out_dir'], 'job_result.json'), 'w'))

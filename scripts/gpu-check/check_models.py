# On another torch: the generated modules load the reference weights and give the same outputs, CPU and CUDA; a training step runs.
import plain_warnings  # noqa: F401  (warnings without this machine's paths)
import importlib.util, json, os, torch
here = os.path.dirname(os.path.abspath(__file__))
out = []
for f in sorted(os.listdir(os.path.join(here, 'models'))):
    name = f[:-3]
    spec = importlib.util.spec_from_file_location(name, os.path.join(here, 'models', f))
    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
    ref = torch.load(os.path.join(here, "ref", name + ".pt"), weights_only=True)
    row = {'model': name, 'ref_torch': ref['torch'], 'torch': torch.__version__}
    for dev in ['cpu'] + (['cuda'] if torch.cuda.is_available() else []):
        net = m.Net().to(dev).eval()
        net.load_state_dict(ref['state'])
        with torch.no_grad():
            y = net(ref['x'].to(dev)).cpu()
        row[f'max_abs_diff_{dev}'] = float((y - ref['y']).abs().max())
        net.train()
        opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
        x = ref['x'].to(dev); t = torch.arange(x.shape[0], device=dev) % y.shape[1]
        loss = torch.nn.functional.nll_loss(net.log_probs(x), t)
        loss.backward(); opt.step()
        row[f'train_step_{dev}'] = loss.item()
    out.append(row); print(json.dumps(row))
json.dump(out, open(os.path.join(os.environ.get('OUT', '.'), 'models.json'), 'w'), indent=1)

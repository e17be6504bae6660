# Reference outputs on this torch (1.13 here): state dict, a fixed input, the output.
import plain_warnings  # noqa: F401  (warnings without this machine's paths)
import importlib.util, os, sys, torch
here = os.path.dirname(os.path.abspath(__file__))
for f in sorted(os.listdir(os.path.join(here, 'models'))):
    name = f[:-3]
    spec = importlib.util.spec_from_file_location(name, os.path.join(here, 'models', f))
    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
    torch.manual_seed(0)
    net = m.Net().eval()
    x = torch.rand(4, *m.Net.input_shape)
    with torch.no_grad():
        y = net(x)
    torch.save({'state': net.state_dict(), 'x': x, 'y': y, 'torch': torch.__version__}, os.path.join(here, 'ref', name + '.pt'))
    print(name, tuple(y.shape), sum(p.numel() for p in net.parameters()))

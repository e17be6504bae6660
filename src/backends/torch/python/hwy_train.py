"""hwy's PyTorch trainer: the `train { }` semantics of hwy's tfjs engine, on PyTorch.

Run by `hwy train --engine torch` (driven: events as JSON lines on the file descriptor named
by HWY_EVENTS_FD, commands as JSON lines on stdin), or on its own as the `train.py` of
`hwy export --to pytorch` (standalone: progress on stdout, metrics.jsonl and checkpoints in
the output directory). Data-parallel when started with RANK / LOCAL_RANK / WORLD_SIZE /
MASTER_ADDR / MASTER_PORT in the environment (by hwy --nproc, torchrun, or SLURM).

    python3 hwy_train.py JOB.json [--out DIR] [--resume] [--epochs N]
    python3 hwy_train.py --serve     (driven, one process: jobs named on stdin, one after another)

With --serve (a sweep's worker: torch is imported once for many runs) each job starts from the
state a fresh process has: the process-wide settings as they were at start (threads,
deterministic flags, the default generator's seed), then the job's own seeds.

The job file names the generated model.py, the weight map, the tfjs model.json template, the
initial weights, the resolved train config and the data (.npy files, memory-mapped). Same
batches as the tfjs engine (its mulberry32 shuffles and augmentation draws, ported exactly),
same optimizers (SGD with momentum or Nesterov, Adam, AdamW, RMSprop: the updates tfjs computes),
learning-rate schedules and warm-up, and L2 weight decay on kernels only. Needs torch and numpy.
"""
import argparse
import contextlib
import gc
import importlib.util
import json
import math
import os
import pickle
import queue
import random
import signal
import sys
import threading
import time

# hwy's stopping signals: Ctrl-C, a terminal closing, kill / a job scheduler
STOP_SIGNALS = [getattr(signal, n) for n in ('SIGINT', 'SIGHUP', 'SIGTERM') if hasattr(signal, n)]

if os.environ.get('HWY_EVENTS_FD') is not None or os.environ.get('HWY_DRIVEN') == '1':
    # driven by hwy, which owns them (it asks for a checkpoint through stdin; the terminal and
    # a scheduler signal the whole process group): one arriving while torch is still importing
    # must not end us with a traceback, nor end us before hwy has its checkpoint
    for _s in STOP_SIGNALS:
        signal.signal(_s, signal.SIG_IGN)

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import hwy_weights  # noqa: E402  (next to this file)

READ_EVERY = 10
PROGRESS_EVERY_S = 0.5
EVAL_BATCH = 500
U32 = 0xFFFFFFFF


class UserError(Exception):
    """A problem a person can fix (bad job file, missing data); reported as one line."""


# ---------------------------------------------------------------------------------------------
# The tfjs engine's random streams (src/data/dataset.ts), bit for bit
# ---------------------------------------------------------------------------------------------

def _imul(a, b):
    return (a * b) & U32


def rng(seed):
    """mulberry32, as dataset.ts `rng`: the same seed gives the same floats in [0, 1)."""
    state = [int(seed) & U32]

    def draw():
        a = (state[0] + 0x6D2B79F5) & U32
        state[0] = a
        t = _imul(a ^ (a >> 15), a | 1)
        t ^= (t + _imul(t ^ (t >> 7), t | 61)) & U32
        return ((t ^ (t >> 14)) & U32) / 4294967296.0

    return draw


def permutation(n, seed):
    """Fisher-Yates with mulberry32, as dataset.ts `permutation`."""
    p = np.arange(n, dtype=np.int64)
    r = rng(seed)
    for i in range(n - 1, 0, -1):
        j = int(math.floor(r() * (i + 1)))
        p[i], p[j] = p[j], p[i]
    return p


def augment_batch(x, idx, translate, mirror, r):
    """dataset.ts `augmentBatch`: shift by up to `translate` pixels (zero fill) and mirror,
    drawing dy, dx, flip per example in the same order."""
    _, h, w, c = x.shape
    out = np.zeros((len(idx), h, w, c), dtype=np.float32)
    for b, i in enumerate(idx):
        src = x[int(i)]
        dy = int(math.floor(r() * (2 * translate + 1))) - translate if translate else 0
        dx = int(math.floor(r() * (2 * translate + 1))) - translate if translate else 0
        flip = mirror and r() < 0.5
        y0, y1 = max(0, -dy), min(h, h - dy)
        x0, x1 = max(0, -dx), min(w, w - dx)
        if y0 >= y1 or x0 >= x1:
            continue
        cols = np.arange(x0, x1) + dx
        if flip:
            cols = w - 1 - cols
        out[b, y0:y1, x0:x1] = src[y0 + dy:y1 + dy][:, cols]
    return out


def learning_rate(cfg, epoch, epochs=None, step=0, steps=1):
    """train.ts `learningRate`: the schedule's rate for the epoch (1-based; the schedules step
    between epochs), times the linear warm-up's factor (k + 1) / W at the k-th step of the run
    (0-based) for a warm-up of W steps, then 1. The same operations in the same order."""
    base = scheduled_rate(cfg, epoch, epochs if epochs is not None else epoch)
    # configs written before warm-up existed have no such fields
    w = cfg.get('warmupSteps', 0) or cfg.get('warmup', 0) * steps
    if not w:
        return base
    k = (epoch - 1) * steps + step
    return base * min(1, (k + 1) / w)


def scheduled_rate(cfg, epoch, epochs):
    if cfg['schedule'] == 'constant':
        return cfg['value']
    if cfg['schedule'] == 'exponential':
        return cfg['value'] * cfg['gamma'] ** (epoch - 1)
    if cfg['schedule'] == 'cosine':
        # PyTorch's CosineAnnealingLR with T_max = epochs: the last epoch stays above the floor
        floor = cfg.get('minLr', 0)
        return floor + (cfg['value'] - floor) * (1 + math.cos(math.pi * (epoch - 1) / epochs)) / 2
    return cfg['value'] * cfg['gamma'] ** len([s for s in cfg['steps'] if epoch > s])


def lr_changes_each_step(cfg):
    return bool(cfg.get('warmupSteps', 0) or cfg.get('warmup', 0))


# ---------------------------------------------------------------------------------------------
# Optimizers: the updates src/language/optimizers.ts defines, as the tfjs engine computes them
# ---------------------------------------------------------------------------------------------

class HwyAdam(torch.optim.Optimizer):
    """Adam as tfjs's AdamOptimizer computes it, which is PyTorch's Adam rule (epsilon outside the
    root, after the bias correction), in tfjs's order of float32 operations, the powers of beta
    kept as float32 products as tfjs keeps them. A group with weight_decay > 0 is AdamW: its
    weights first shrink by (1 - lr * weight_decay), as PyTorch's AdamW (hwy decays kernels only)."""

    def __init__(self, params, lr, beta1, beta2, epsilon):
        super().__init__(params, dict(lr=lr, beta1=beta1, beta2=beta2, epsilon=epsilon, weight_decay=0.0))

    @torch.no_grad()
    def step(self, closure=None):
        for g in self.param_groups:
            lr, b1, b2, eps, wd = g['lr'], g['beta1'], g['beta2'], g['epsilon'], g['weight_decay']
            for p in g['params']:
                if p.grad is None:
                    continue
                st = self.state[p]
                if not st:
                    st['m'] = torch.zeros_like(p)
                    st['v'] = torch.zeros_like(p)
                    st['acc_beta1'] = torch.tensor(b1, dtype=torch.float32, device=p.device)
                    st['acc_beta2'] = torch.tensor(b2, dtype=torch.float32, device=p.device)
                if wd:
                    p.mul_(1 - lr * wd)
                grad = p.grad
                m = st['m'] * b1 + grad * (1 - b1)
                v = st['v'] * b2 + grad.square() * (1 - b2)
                st['m'].copy_(m)
                st['v'].copy_(v)
                m_hat = m / (1 - st['acc_beta1'])
                v_hat = v / (1 - st['acc_beta2'])
                p.copy_((m_hat / (v_hat.sqrt() + eps)) * -lr + p)
                st['acc_beta1'].mul_(b1)
                st['acc_beta2'].mul_(b2)


class HwyRMSprop(torch.optim.Optimizer):
    """RMSprop as tfjs's RMSPropOptimizer (and Keras) computes it: epsilon under the root, the
    rate inside the momentum term, u = momentum * u + lr * g / sqrt(s + epsilon); p -= u.
    torch.optim.RMSprop puts epsilon outside the root and the rate outside u, so it differs."""

    def __init__(self, params, lr, rho, momentum, epsilon):
        super().__init__(params, dict(lr=lr, rho=rho, momentum=momentum, epsilon=epsilon))

    @torch.no_grad()
    def step(self, closure=None):
        for g in self.param_groups:
            lr, rho, mom, eps = g['lr'], g['rho'], g['momentum'], g['epsilon']
            for p in g['params']:
                if p.grad is None:
                    continue
                st = self.state[p]
                if not st:
                    st['ms'] = torch.zeros_like(p)
                    st['mom'] = torch.zeros_like(p)
                grad = p.grad
                ms = st['ms'] * rho + grad.square() * (1 - rho)
                u = st['mom'] * mom + (grad * lr) / (ms + eps).sqrt()
                st['ms'].copy_(ms)
                st['mom'].copy_(u)
                p.sub_(u)


def make_optimizer(net, ocfg, lr, kernel_keys):
    """The optimizer the config names, over the network's parameters; AdamW's decay on kernels only."""
    name = ocfg.get('name', 'sgd')
    if name == 'sgd':
        momentum = ocfg['momentum']
        return torch.optim.SGD(net.parameters(), lr=lr, momentum=momentum, nesterov=bool(ocfg['nesterov']) and momentum > 0)
    if name in ('adam', 'adamw'):
        wd = float(ocfg.get('weightDecay', 0.0)) if name == 'adamw' else 0.0
        named = list(net.named_parameters())
        groups = [{'params': [p for k, p in named if k in kernel_keys], 'weight_decay': wd}, {'params': [p for k, p in named if k not in kernel_keys], 'weight_decay': 0.0}]
        return HwyAdam([gr for gr in groups if gr['params']], lr, ocfg['beta1'], ocfg['beta2'], ocfg['epsilon'])
    if name == 'rmsprop':
        return HwyRMSprop(net.parameters(), lr, ocfg['rho'], ocfg['momentum'], ocfg['epsilon'])
    raise UserError('the job names optimizer %r, which this trainer does not have (sgd, adam, adamw, rmsprop)' % name)


def kernel_keys_of(weight_map):
    """The state-dict keys of kernels (what weight decay applies to), from the weight map."""
    return {e['torch'] for e in weight_map if 'kernel' in e['tfjs'].split('/')[-1]}


def weights_finite(net):
    """Whether every parameter is finite (the same on every worker: DDP keeps them equal)."""
    return all(bool(torch.isfinite(p).all()) for p in net.parameters())


def js_number(x):
    """A float as JavaScript prints it in messages (NaN, Infinity)."""
    if math.isnan(x):
        return 'NaN'
    if math.isinf(x):
        return 'Infinity' if x > 0 else '-Infinity'
    return repr(x)


# ---------------------------------------------------------------------------------------------
# Where results go: hwy (driven) or the output directory (standalone)
# ---------------------------------------------------------------------------------------------

def fsync_write(path, data):
    with open(path, 'wb') as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def fsync_dir(path):
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class DrivenSink:
    """Events to hwy on a file descriptor; hwy stages and commits checkpoints (RunSink)."""

    def __init__(self, fd):
        self.out = os.fdopen(fd, 'w', buffering=1)
        self.commands = queue.Queue()
        self.stop = False
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in sys.stdin:
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if msg.get('stop'):
                self.stop = True
            else:
                if 'job' in msg:
                    # a stop that came before the job was meant for the one before it (or none):
                    # cleared here, in the order the lines came, so one sent after it still counts
                    self.stop = False
                self.commands.put(msg)
        # hwy has gone: nothing would receive what we compute
        self.commands.put({'gone': True})
        orphaned()

    def next_job(self):
        """--serve: the path of the next job file hwy names (waiting for it)."""
        return self._wait('job')

    def _wait(self, key):
        msg = self.commands.get()
        if msg.get('gone'):
            # not os._exit here: the reader may still be removing the job directory, and the
            # process ending under it would leave the directory behind (orphaned() waits for it)
            orphaned()
        if key not in msg:
            raise RuntimeError('expected %r from hwy, got %r' % (key, msg))
        return msg[key]

    def emit(self, event, **fields):
        fields['event'] = event
        try:
            self.out.write(json.dumps(fields) + '\n')
        except OSError:
            # the pipe to hwy is broken: hwy has gone (killed); end as the watchers would
            orphaned()

    def progress(self, p):
        self.emit('progress', **p)

    def epoch_start(self, epoch, epochs, steps, lr):
        self.emit('epoch_start', epoch=epoch, epochs=epochs, steps=steps, lr=lr)

    def metrics(self, line):
        self.emit('epoch_end', metrics=line)

    def checkpoint(self, write, state):
        self.emit('checkpoint')
        staging = self._wait('stage')
        write(staging)
        fsync_dir(staging)
        self.emit('checkpoint_staged', state=state)
        self._wait('ack')


# The job directory hwy made for this run (a temporary one), removed by whichever worker finds
# hwy gone: hwy itself cannot when it was killed (SIGKILL runs no clean-up).
_orphan_cleanup = [None]


_orphan_lock = threading.Lock()


def orphaned():
    """hwy has gone (killed, or its terminal closed): end now, without a traceback, leaving no
    temporary files. The run directory keeps its last committed checkpoint. Both the stdin
    reader and the parent watcher find hwy gone, often at once: one removes the directory and
    ends the process, the other waits (two removals at once could each skip what the other had
    not yet removed, and the first to finish would end the process with the directory left)."""
    _orphan_lock.acquire()
    if _orphan_cleanup[0]:
        _rmtree(_orphan_cleanup[0])
    os._exit(1)


def watch_parent(job, job_dir):
    """Driven by hwy: end within a second once hwy is gone (see start_parent_watch), removing
    this job's directory."""
    cleanup = job.get('remove_when_orphaned')
    # only the directory of the job file itself, which hwy made for this run
    _orphan_cleanup[0] = job_dir if cleanup and os.path.abspath(cleanup) == os.path.abspath(job_dir) else None
    start_parent_watch()


_watching = [False]


def start_parent_watch():
    """Rank 0 also sees its stdin close; the other ranks have no stdin from hwy, and a worker
    busy in a long step reads none: its parent changing (to init or a subreaper) says so.
    One watcher a process, however many jobs it runs."""
    if _watching[0]:
        return
    _watching[0] = True
    parent = os.getppid()

    def watch():
        while True:
            time.sleep(0.25)
            if os.getppid() != parent:
                orphaned()

    threading.Thread(target=watch, daemon=True).start()


class LocalSink:
    """Standalone: metrics.jsonl and an atomically swapped checkpoint directory in `out`."""

    def __init__(self, out):
        self.dir = out
        os.makedirs(out, exist_ok=True)
        self.stop = False
        self.last = 0.0

    def emit(self, event, **fields):
        if event == 'started':
            print('training on %s (torch %s, threads a process: %d, processes: %d)' % (fields['device'], fields['torch'], fields['threads'], fields['world']), flush=True)
        elif event == 'resumed':
            print('resuming %s after epoch %d, step %d' % (self.dir, fields['epoch'], fields['step']), flush=True)

    def progress(self, p):
        if time.time() - self.last > 10 or p['step'] == p['steps']:
            self.last = time.time()
            print('epoch %d/%d step %d/%d loss %.4f acc %.3f %d samples/s' % (p['epoch'], p['epochs'], p['step'], p['steps'], p['loss'], p['accuracy'], p['samplesPerSec']), flush=True)

    def epoch_start(self, epoch, epochs, steps, lr):
        pass

    def metrics(self, m):
        with open(os.path.join(self.dir, 'metrics.jsonl'), 'a') as f:
            f.write(json.dumps(m) + '\n')
            f.flush()
            os.fsync(f.fileno())
        val = 'no validation examples' if m['valLoss'] is None else 'val loss %.4f val acc %.4f' % (m['valLoss'], m['valAccuracy'])
        print('epoch %d: loss %.4f acc %.4f | %s | lr %.3g | %.1fs, %d samples/s' % (m['epoch'], m['loss'], m['accuracy'], val, m['lr'], m['seconds'], round(m['samplesPerSec'])), flush=True)

    def checkpoint(self, write, state):
        staging = os.path.join(self.dir, '.checkpoint-new')
        model = os.path.join(self.dir, 'model')
        old = os.path.join(self.dir, '.checkpoint-old')
        _rmtree(staging)
        os.makedirs(staging)
        write(staging)
        sums = {n: file_sha256(os.path.join(staging, n)) for n in sorted(os.listdir(staging)) if n != 'state.json'}
        sizes = {n: os.path.getsize(os.path.join(staging, n)) for n in sums}
        state = dict(state, savedAt=time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()), sha256=sums, bytes=sizes, weightsSha256=sums.get('weights.bin'))
        fsync_write(os.path.join(staging, 'state.json'), (json.dumps(state, indent=2) + '\n').encode())
        fsync_dir(staging)
        _rmtree(old)
        if os.path.exists(model):
            os.rename(model, old)
        os.rename(staging, model)
        fsync_dir(self.dir)
        _rmtree(old)


class QuietSink:
    """Ranks other than 0: they train and take part in collectives, but report nothing."""

    stop = False

    def emit(self, *a, **k):
        pass

    progress = epoch_start = metrics = emit

    def checkpoint(self, write, state):
        pass


def file_sha256(path):
    import hashlib
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def verify_checkpoint(ckpt_dir, state):
    """The files of a checkpoint are those its state.json was written with (hwy's run directories record the same)."""
    sums = state.get('sha256') or ({'weights.bin': state['weightsSha256']} if state.get('weightsSha256') else {})
    if 'torch.pt' not in sums:
        raise UserError('%s records no checksum of torch.pt: the checkpoint was not written by this trainer, or by an older one; it is not loaded' % os.path.join(ckpt_dir, 'state.json'))
    for name, want in sums.items():
        path = os.path.join(ckpt_dir, name)
        if os.path.islink(path) or not os.path.isfile(path):
            raise UserError('%s is missing or not a regular file' % path)
        # a file of another size than the one written is refused before it is read (hashing a 20 GB one takes a minute)
        size = (state.get('bytes') or {}).get(name)
        if size is not None and os.path.getsize(path) != size:
            raise UserError('%s does not match the checksum in %s: it holds %d bytes, not the %d it was written with (the checkpoint is damaged or was replaced)' % (path, os.path.join(ckpt_dir, 'state.json'), os.path.getsize(path), size))
        if file_sha256(path) != want:
            raise UserError('%s does not match the checksum in %s: the checkpoint is damaged or was replaced' % (path, os.path.join(ckpt_dir, 'state.json')))


def _rmtree(path):
    import shutil
    shutil.rmtree(path, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------

def load_module(path):
    spec = importlib.util.spec_from_file_location('hwy_model', path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class LogProbs(torch.nn.Module):
    """The network's log-probabilities as forward(), so DistributedDataParallel wraps the loss path."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net.log_probs(x)


def load_split(files, name):
    try:
        x = np.load(files['x'], mmap_mode='r')
        y = np.load(files['y'], mmap_mode='r')
    except (OSError, ValueError) as e:
        raise UserError('cannot read the %s arrays (%s): %s' % (name, files['x'], e))
    if x.dtype != np.float32 or y.dtype != np.uint8 or x.ndim != 4 or len(x) != len(y):
        raise UserError('%s: expected float32 [N, H, W, C] images and as many uint8 labels' % files['x'])
    return x, y


def evaluate(net, x, y, to_input, device):
    """train.ts `evaluate`: mean loss (without weight decay) and accuracy, in batches, no dropout."""
    was = net.training
    net.eval()
    loss_sum = 0.0
    correct = 0
    with torch.no_grad():
        for s in range(0, len(x), EVAL_BATCH):
            xb = to_input(torch.from_numpy(np.array(x[s:s + EVAL_BATCH], dtype=np.float32))).to(device)
            yb = torch.from_numpy(np.asarray(y[s:s + EVAL_BATCH], dtype=np.int64)).to(device)
            lp = net.log_probs(xb)
            loss_sum += float(F.nll_loss(lp, yb, reduction='sum'))
            correct += int((lp.argmax(-1) == yb).sum())
    net.train(was)
    return loss_sum / len(x), correct / len(x)


# A checkpoint is loaded with torch.load(weights_only=True), which rebuilds tensors and plain
# containers and never runs code from the file: run directories are shared and downloaded like
# data. torch 1.13's safe loader takes no floats, so everything but the tensors travels as one
# JSON text, with the tensors (numpy arrays included) referred to by index.
CHECKPOINT_FORMAT = 2


def _pack(obj, tensors):
    if isinstance(obj, torch.Tensor):
        tensors.append(obj.detach().cpu())
        return {'__tensor__': len(tensors) - 1}
    if isinstance(obj, np.ndarray):
        # numpy's RNG state is uint32, which torch 1.13 cannot hold: kept as int64 with its dtype
        tensors.append(torch.from_numpy(np.ascontiguousarray(obj.astype(np.int64) if obj.dtype.kind in 'ui' else obj)))
        return {'__ndarray__': len(tensors) - 1, 'dtype': obj.dtype.str}
    if isinstance(obj, dict):
        return {'__dict__': [[_pack(k, tensors), _pack(v, tensors)] for k, v in obj.items()]}
    if isinstance(obj, tuple):
        return {'__tuple__': [_pack(v, tensors) for v in obj]}
    if isinstance(obj, list):
        return [_pack(v, tensors) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        return float(obj)
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError('a checkpoint cannot hold a %s' % type(obj).__name__)


def _unpack(obj, tensors):
    if isinstance(obj, list):
        return [_unpack(v, tensors) for v in obj]
    if isinstance(obj, dict):
        if '__tensor__' in obj:
            return tensors[obj['__tensor__']]
        if '__ndarray__' in obj:
            return tensors[obj['__ndarray__']].numpy().astype(np.dtype(obj['dtype']))
        if '__tuple__' in obj:
            return tuple(_unpack(v, tensors) for v in obj['__tuple__'])
        if '__dict__' in obj:
            return {_unpack(k, tensors): _unpack(v, tensors) for k, v in obj['__dict__']}
        raise ValueError('unexpected entry %r' % sorted(obj)[:3])
    return obj


def save_checkpoint(blob, path):
    tensors = []
    meta = json.dumps(_pack(blob, tensors))
    torch.save({'format': CHECKPOINT_FORMAT, 'meta': meta, 'tensors': tensors}, path)


def load_checkpoint(path):
    try:
        raw = torch.load(path, map_location='cpu', weights_only=True)
    except TypeError:  # a torch before 1.13 has no weights_only: nothing loads checkpoints safely there
        raise UserError('torch %s cannot load %s without running code from it; resuming needs torch 1.13 or newer' % (torch.__version__, path))
    except pickle.UnpicklingError as e:
        raise UserError('%s is not a checkpoint hwy can load safely (%s); a torch.pt from before checkpoint format %d (tensors only) cannot be resumed by the torch engine: train anew, or evaluate the run with hwy eval' % (path, str(e).split('WeightsUnpickler error:')[-1].strip()[:120], CHECKPOINT_FORMAT))
    if not isinstance(raw, dict) or raw.get('format') != CHECKPOINT_FORMAT or not isinstance(raw.get('meta'), str) or not isinstance(raw.get('tensors'), list):
        raise UserError('%s is not a torch checkpoint written by this hwy (format %r, expected %d)' % (path, raw.get('format') if isinstance(raw, dict) else None, CHECKPOINT_FORMAT))
    try:
        return _unpack(json.loads(raw['meta']), raw['tensors'])
    except (ValueError, KeyError, IndexError, TypeError) as e:
        raise UserError('%s is damaged: %s' % (path, e))


@contextlib.contextmanager
def unreadable_checkpoint(path):
    """Any failure to read or apply the checkpoint `path` as a UserError naming it: a one-line
    message, not a traceback. A UserError raised inside (a checksum that does not match) stays."""
    try:
        yield
    except UserError:
        raise
    except Exception as e:  # noqa: BLE001 -- unpickling, a missing key, a shape mismatch: all say the file is not this run's
        detail = str(e).strip().split('\n')[0]
        raise UserError('cannot read the checkpoint %s: %s%s' % (path, type(e).__name__, ': ' + detail if detail else ''))


def rng_state(device):
    s = {'torch': torch.get_rng_state(), 'numpy': np.random.get_state()}
    if device.type == 'cuda':
        s['cuda'] = torch.cuda.get_rng_state(device)
    return s


def set_rng_state(s, device):
    torch.set_rng_state(s['torch'])
    np.random.set_state(s['numpy'])
    if device.type == 'cuda' and 'cuda' in s:
        torch.cuda.set_rng_state(s['cuda'], device)


def pick_device(choice, local_rank):
    if choice == 'cuda' or (choice == 'auto' and torch.cuda.is_available()):
        if not torch.cuda.is_available():
            raise UserError('--device cuda: torch %s here has no CUDA device' % torch.__version__)
        return torch.device('cuda', local_rank % torch.cuda.device_count())
    return torch.device('cpu')


def run(job, job_dir, sink, rank, world, local_rank):
    def path(p):
        return p if p is None or os.path.isabs(p) else os.path.join(job_dir, p)

    cfg = job['config']
    device = pick_device(job.get('device', 'auto'), local_rank)
    threads = job.get('threads') or int(os.environ.get('HWY_THREADS', '0') or 0)
    if threads:
        torch.set_num_threads(threads)
    if device.type == 'cuda':
        # NCCL and all_gather_object work on the current device: one GPU a worker
        torch.cuda.set_device(device)
    if world > 1:
        torch.distributed.init_process_group('nccl' if device.type == 'cuda' else 'gloo')

    xtr, ytr = load_split({k: path(v) for k, v in job['data']['train'].items()}, 'train')
    xva, yva = load_split({k: path(v) for k, v in job['data']['validation'].items()}, 'validation')
    mod = load_module(path(job['model']))
    weight_map = job['weight_map']
    model_json = open(path(job['model_json']), 'rb').read()

    # dropout masks come from torch's generator: seeded per rank, saved in every checkpoint;
    # every stream is seeded here, by the job, so a run in a --serve worker draws what a fresh
    # process draws however many runs came before it
    torch.manual_seed(cfg['seed'] * 1000003 + rank)
    np.random.seed((cfg['seed'] * 1000003 + rank) & U32)
    random.seed(cfg['seed'] * 1000003 + rank)
    net = mod.Net()
    # the data is in the IR's layout (NHWC images, as tfjs reads them); the module takes NCHW
    to_input = mod.Net.from_ir_layout
    state = dict(job['state'])
    resume = path(job.get('resume'))
    ckpt = None
    if resume:
        pt = os.path.join(resume, 'torch.pt')
        # a torch.pt that is damaged, foreign or of another network fails in torch.load or in
        # load_state_dict with whatever error that format gives: all of them mean the same
        with unreadable_checkpoint(pt):
            ckpt = load_checkpoint(pt)
            if not isinstance(ckpt, dict) or not isinstance(ckpt.get('model'), dict) or not isinstance(ckpt.get('optimizer'), dict):
                raise ValueError("it is not a checkpoint of hwy's torch engine (no model and optimizer state)")
            net.load_state_dict(ckpt['model'])
    elif job.get('init_weights'):
        # the tfjs engine's initial weights for this seed: both engines start from the same point
        hwy_weights.load_into(net, open(path(job['init_weights']), 'rb').read(), weight_map)
    net.to(device)
    net.train()

    kernel_keys = kernel_keys_of(weight_map)
    opt = make_optimizer(net, cfg['optimizer'], cfg['lr']['value'], kernel_keys)
    if ckpt is not None:
        with unreadable_checkpoint(pt):
            opt.load_state_dict(ckpt['optimizer'])
            rngs = ckpt.get('rng') or []
            if len(rngs) == world:
                set_rng_state(rngs[rank], device)
    kernels = [p for k, p in net.named_parameters() if k in kernel_keys]
    decay = float(cfg.get('weightDecay', 0))

    model = LogProbs(net)
    if world > 1:
        model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if device.type == 'cuda' else None)

    n = len(xtr)
    batch = int(cfg['batch'])
    if world > batch:
        raise UserError('%d workers need a batch of at least %d examples (the batch is %d)' % (world, world, batch))
    steps = (n + batch - 1) // batch
    epochs = int(cfg['epochs'])
    augment = cfg['data'].get('augment', [])
    translate = max(2, round(xtr.shape[1] / 8)) if 'translate' in augment else 0
    mirror = 'mirror' in augment
    seed = int(cfg['seed'])
    per_step = lr_changes_each_step(cfg['lr'])

    sink.emit('started', device=str(device), threads=torch.get_num_threads(), torch=torch.__version__, python=sys.version.split()[0], world=world)
    if resume:
        sink.emit('resumed', epoch=state['epoch'], step=state['step'])

    def checkpoint(s):
        rngs = [rng_state(device)]
        if world > 1:
            rngs = [None] * world
            torch.distributed.all_gather_object(rngs, rng_state(device))
        kept[0] = s
        if rank != 0:
            return

        def write(d):
            blob = {'model': net.state_dict(), 'optimizer': opt.state_dict(), 'rng': rngs, 'state': s, 'world': world}
            tmp = os.path.join(d, 'torch.pt')
            save_checkpoint(blob, tmp)
            with open(tmp, 'rb+') as f:
                os.fsync(f.fileno())
            fsync_write(os.path.join(d, 'model.json'), model_json)
            fsync_write(os.path.join(d, 'weights.bin'), hwy_weights.state_dict_to_tfjs(net.state_dict(), weight_map))
        sink.checkpoint(write, s)

    # the newest checkpoint on disk (the one resumed from, or none yet): what a diverged run keeps
    kept = [dict(state)]

    def diverged(epoch, step):
        # a checkpoint never holds weights that are not finite (the tfjs engine says the same)
        message = 'training diverged in epoch %d, step %d: the weights are no longer finite (NaN or Infinity)' % (epoch, step)
        return {'status': 'diverged', 'state': dict(kept[0], status='diverged'), 'message': message}

    for epoch in range(state['epoch'] + 1, epochs + 1):
        lr = learning_rate(cfg['lr'], epoch, epochs, state['step'], steps)
        for g in opt.param_groups:
            g['lr'] = lr
        order = permutation(n, seed * 100003 + epoch)
        part = state['partial']
        loss_sum, correct, seen, seconds = part['lossSum'], part['correct'], part['seen'], part['seconds']
        seen_at_start = seen
        t0 = time.time()
        last_progress = 0.0
        pending = []
        sink.epoch_start(epoch, epochs, steps, lr)
        for step in range(state['step'], steps):
            if per_step and step != state['step']:
                lr = learning_rate(cfg['lr'], epoch, epochs, step, steps)
                for g in opt.param_groups:
                    g['lr'] = lr
            idx = order[step * batch:min(n, (step + 1) * batch)]
            size = len(idx)
            mine = np.array_split(idx, world)[rank] if world > 1 else idx
            if translate or mirror:
                # the draws of the whole global batch, in order, so every rank and the tfjs engine agree
                full = augment_batch(xtr, idx, translate, mirror, rng(seed * 7919 + epoch * 100003 + step))
                if world > 1:
                    lo = sum(len(a) for a in np.array_split(idx, world)[:rank])
                    full = full[lo:lo + len(mine)]
                xb = full
            else:
                xb = xtr[mine]
            xb = to_input(torch.from_numpy(np.ascontiguousarray(xb, dtype=np.float32))).to(device)
            yb = torch.from_numpy(np.asarray(ytr[mine], dtype=np.int64)).to(device)
            lp = model(xb)
            # sum over my slice / the global batch, times the workers: DDP's mean of the workers'
            # gradients is then the gradient of the global batch's mean loss, however it splits
            ce_sum = F.nll_loss(lp, yb, reduction='sum')
            loss = ce_sum * (world / size)
            reg = None
            if decay > 0:
                reg = (decay / 2) * sum((k * k).sum() for k in kernels)
                loss = loss + reg
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            hits = (lp.detach().argmax(-1) == yb).sum()
            pending.append((ce_sum.detach(), hits, reg.detach() if reg is not None else None, size))
            last = step == steps - 1
            stop_now = sink.stop if world == 1 else False
            if len(pending) >= READ_EVERY or last or stop_now:
                stats = torch.stack([torch.stack([c.float(), h.float()]) for c, h, _, _ in pending])
                if world > 1:
                    flag = torch.tensor([[1.0 if sink.stop else 0.0, 0.0]], device=stats.device)
                    both = torch.cat([stats, flag])
                    torch.distributed.all_reduce(both)
                    stats, stop_now = both[:-1], bool(both[-1, 0] > 0)
                stats = stats.cpu().numpy()
                for k, (_, _, r, sz) in enumerate(pending):
                    l = float(stats[k, 0]) / sz + (float(r) if r is not None else 0.0)
                    if not math.isfinite(l):
                        message = 'training diverged in epoch %d, step %d: the loss is %s' % (epoch, step + 1 - len(pending) + k + 1, js_number(l))
                        return {'status': 'diverged', 'state': dict(kept[0], status='diverged'), 'message': message}
                    loss_sum += l * sz
                    correct += float(stats[k, 1])
                    seen += sz
                pending = []
                here = time.time() - t0
                if last or stop_now or here - last_progress >= PROGRESS_EVERY_S:
                    last_progress = here
                    sink.progress({'epoch': epoch, 'epochs': epochs, 'step': step + 1, 'steps': steps, 'loss': loss_sum / seen, 'accuracy': correct / seen, 'samplesPerSec': (seen - seen_at_start) / max(1e-9, here)})
                if not last and stop_now:
                    if not weights_finite(net):
                        return diverged(epoch, step + 1)
                    s = {'epoch': epoch - 1, 'step': step + 1, 'partial': {'lossSum': loss_sum, 'correct': correct, 'seen': seen, 'seconds': seconds + here}, 'status': 'interrupted', 'savedAt': ''}
                    checkpoint(s)
                    return {'status': 'interrupted', 'state': s}
        seconds += time.time() - t0
        # the last step's update has not been through a forward pass yet: its weights are checked before they count as an epoch
        if not weights_finite(net):
            return diverged(epoch, steps)
        if rank == 0:
            # no validation examples: no validation metrics (a mean over none would be NaN)
            val_loss, val_acc = evaluate(net, xva, yva, to_input, device) if len(yva) > 0 else (None, None)
            line = {'epoch': epoch, 'loss': loss_sum / seen, 'accuracy': correct / seen, 'valLoss': val_loss, 'valAccuracy': val_acc, 'lr': lr, 'seconds': seconds, 'samplesPerSec': seen / seconds}
            sink.metrics(line)
        state = {'epoch': epoch, 'step': 0, 'partial': {'lossSum': 0, 'correct': 0, 'seen': 0, 'seconds': 0}, 'status': 'done' if epoch == epochs else 'running', 'savedAt': ''}
        checkpoint(state)
        stop_now = sink.stop
        if world > 1:
            flag = torch.tensor([1.0 if sink.stop else 0.0], device=device)
            torch.distributed.all_reduce(flag)
            stop_now = bool(flag[0] > 0)
        if stop_now and epoch < epochs:
            return {'status': 'interrupted', 'state': dict(state, status='interrupted')}
    return {'status': 'done', 'state': dict(state, status='done')}


class ProcessDefaults:
    """The process-wide settings of torch as a fresh process has them, taken when --serve starts
    (before any job) and put back before every job: a job that sets threads, deterministic
    algorithms or cuDNN's flags must not hand them to the next one."""

    def __init__(self):
        self.threads = torch.get_num_threads()
        self.deterministic = torch.are_deterministic_algorithms_enabled()
        self.cudnn = (torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic, torch.backends.cudnn.enabled)
        self.dtype = torch.get_default_dtype()
        self.seed = torch.initial_seed()

    def restore(self):
        torch.set_num_threads(self.threads)
        torch.use_deterministic_algorithms(self.deterministic)
        torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic, torch.backends.cudnn.enabled = self.cudnn
        torch.set_default_dtype(self.dtype)
        torch.set_grad_enabled(True)
        # the generators as a fresh process starts them (each job seeds its own streams as well)
        torch.manual_seed(self.seed)
        np.random.seed(None)
        random.seed(None)


def serve(sink):
    """--serve: run the jobs hwy names on stdin ({"job": PATH}), one after another, each ending
    with its 'done' or 'error' event. A job's problem that a person can fix ends that job only;
    anything else ends the process (hwy reports it from stderr and starts a fresh one), since
    after an unexpected failure (CUDA's, say) nothing says the process is as a fresh one."""
    defaults = ProcessDefaults()
    start_parent_watch()
    while True:
        job_file = sink.next_job()
        defaults.restore()
        try:
            try:
                job_dir = os.path.dirname(os.path.abspath(job_file))
                with open(job_file) as f:
                    job = json.load(f)
            except (OSError, ValueError, TypeError) as e:
                raise UserError('cannot read the job file %s: %s' % (job_file, e))
            watch_parent(job, job_dir)
            outcome = run(job, job_dir, sink, 0, 1, 0)
        except UserError as e:
            sink.emit('error', message=str(e), user=True)
            continue
        except Exception as e:  # noqa: BLE001 -- reported to hwy, which shows stderr's traceback
            sink.emit('error', message='%s: %s' % (type(e).__name__, str(e).split('\n')[0]))
            raise
        finally:
            # this job's directory is hwy's to remove from now on; what the job held goes now
            _orphan_cleanup[0] = None
            job = None
            gc.collect()
            if torch.cuda.is_available() and torch.cuda.is_initialized():
                torch.cuda.empty_cache()
        sink.emit('done', outcome=outcome)


def main(argv=None):
    ap = argparse.ArgumentParser(description='Train a network compiled by hwy with PyTorch.')
    ap.add_argument('job', nargs='?', default=os.path.join(HERE, 'config.json'), help='the job file (default: config.json next to this script)')
    ap.add_argument('--out', help='standalone: where metrics.jsonl and model/ go (default: the job\'s "out", else ./run)')
    ap.add_argument('--resume', action='store_true', help='standalone: continue from OUT/model')
    ap.add_argument('--epochs', type=int, help='train up to this many epochs')
    ap.add_argument('--device', choices=['auto', 'cpu', 'cuda'], help='default: the job\'s, else auto')
    ap.add_argument('--serve', action='store_true', help='driven by hwy: run the jobs named on stdin, one after another, in this one process')
    args = ap.parse_args(argv)

    rank = int(os.environ.get('RANK', '0'))
    world = int(os.environ.get('WORLD_SIZE', '1'))
    local_rank = int(os.environ.get('LOCAL_RANK', str(rank)))
    events_fd = os.environ.get('HWY_EVENTS_FD')
    standalone = events_fd is None and os.environ.get('HWY_DRIVEN') != '1'
    sink = QuietSink() if rank != 0 else DrivenSink(int(events_fd)) if events_fd is not None else None
    if not standalone:
        # hwy owns Ctrl-C, SIGHUP and SIGTERM: it asks for a checkpoint through stdin, and a
        # second signal ends it and, through watch_parent, us
        for s in STOP_SIGNALS:
            signal.signal(s, signal.SIG_IGN)

    if args.serve:
        if not isinstance(sink, DrivenSink) or world > 1:
            print('error: --serve is for hwy: it needs HWY_EVENTS_FD and a single process (no WORLD_SIZE)', file=sys.stderr)
            return 2
        return serve(sink)

    try:
        try:
            job_dir = os.path.dirname(os.path.abspath(args.job))
            with open(args.job) as f:
                job = json.load(f)
        except (OSError, ValueError) as e:
            raise UserError('cannot read the job file %s: %s' % (args.job, e))
        if not standalone:
            watch_parent(job, job_dir)
        if args.epochs:
            job['config']['epochs'] = args.epochs
        if args.device:
            job['device'] = args.device
        if standalone:
            out = os.path.abspath(args.out) if args.out else os.path.join(job_dir, job.get('out') or 'run')
            job['resume'], job['state'] = None, None
            if not args.resume and any(os.path.exists(os.path.join(out, f)) for f in ('metrics.jsonl', 'model')):
                # a second run into the same directory would mix its epochs with the first's
                raise UserError('%s already holds a run: --resume to continue it, or --out DIR for a new one' % out)
            if args.resume:
                try:
                    with open(os.path.join(out, 'model', 'state.json')) as f:
                        job['state'] = json.load(f)
                except (OSError, ValueError) as e:
                    raise UserError('--resume: no checkpoint in %s (%s)' % (os.path.join(out, 'model'), e))
                if not isinstance(job['state'], dict):
                    raise UserError('--resume: %s is not a training state' % os.path.join(out, 'model', 'state.json'))
                verify_checkpoint(os.path.join(out, 'model'), job['state'])
                job['resume'] = os.path.join(out, 'model')
            job['state'] = job['state'] or {'epoch': 0, 'step': 0, 'partial': {'lossSum': 0, 'correct': 0, 'seen': 0, 'seconds': 0}, 'status': 'running', 'savedAt': ''}
            if sink is None:
                sink = LocalSink(out)

            # Ctrl-C (torchrun passes it to every worker): stop at the next step boundary the
            # workers agree on, after a checkpoint; a second one quits at once
            def on_sigint(signum, frame):
                if sink.stop:
                    raise KeyboardInterrupt
                sink.stop = True
                if rank == 0:
                    print('\nstopping: writing a checkpoint (Ctrl-C again to quit at once)...', file=sys.stderr, flush=True)
            signal.signal(signal.SIGINT, on_sigint)
        outcome = run(job, job_dir, sink, rank, world, local_rank)
    except UserError as e:
        if isinstance(sink, DrivenSink):
            sink.emit('error', message=str(e), user=True)
        else:
            print('error: %s' % e, file=sys.stderr)
        return 2
    except Exception as e:  # noqa: BLE001 -- reported to hwy, which shows stderr's traceback
        if isinstance(sink, DrivenSink):
            sink.emit('error', message='%s: %s' % (type(e).__name__, str(e).split('\n')[0]))
        raise
    finally:
        if world > 1 and torch.distributed.is_initialized():
            torch.distributed.destroy_process_group()
    if isinstance(sink, DrivenSink):
        sink.emit('done', outcome=outcome)
    elif rank == 0:
        st = outcome['state']
        if outcome['status'] == 'diverged':
            print(outcome['message'], file=sys.stderr)
            return 1
        if outcome['status'] == 'interrupted':
            print('stopped after epoch %d%s; checkpoint in %s; continue with --resume' % (st['epoch'], ' and %d steps of the next' % st['step'] if st['step'] else '', sink.dir), file=sys.stderr)
            return 130
    return 0


if __name__ == '__main__':
    sys.exit(main())

"""hwy's TensorBoard writer: epoch metrics as TensorBoard event files, through a maintained
writer (PyTorch's torch.utils.tensorboard, which needs the tensorboard package, or
tensorboardX); hwy never writes the event format itself.

    python3 hwy_tensorboard.py --probe          # prints the writer library found, exit 3 if none
    python3 hwy_tensorboard.py LOGDIR [PURGE_STEP]

Reads JSON lines on stdin, {"step": N, "scalars": {"tag": value, ...}}, one per epoch, and
flushes after each; ends when stdin closes. PURGE_STEP (a resume) hides events of that step
and later left by an earlier writer, as TensorBoard's purge_step does.
"""
import json
import signal
import sys

# hwy owns Ctrl-C; the writer ends when hwy closes its stdin
signal.signal(signal.SIGINT, signal.SIG_IGN)


def writer_class():
    """The first writer library that imports, as (class, description); None when there is none."""
    try:
        from torch.utils.tensorboard import SummaryWriter
        import tensorboard
        return SummaryWriter, 'torch.utils.tensorboard (tensorboard %s)' % tensorboard.__version__
    except Exception:  # noqa: BLE001 -- no torch, no tensorboard, or versions that do not fit: try the next
        pass
    try:
        import tensorboardX
        return tensorboardX.SummaryWriter, 'tensorboardX %s' % tensorboardX.__version__
    except Exception:  # noqa: BLE001
        return None


def main(argv):
    found = writer_class()
    if argv[:1] == ['--probe']:
        if found is None:
            sys.stdout.write('missing')
            return 3
        sys.stdout.write('writer ' + found[1])
        return 0
    if found is None:
        sys.stderr.write('no TensorBoard writer (tensorboard or tensorboardX) can be imported\n')
        return 3
    logdir = argv[0]
    purge = int(argv[1]) if len(argv) > 1 and argv[1] else None
    writer = found[0](log_dir=logdir, purge_step=purge)
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            msg = json.loads(line)
            for tag, value in msg['scalars'].items():
                if value is not None:
                    writer.add_scalar(tag, value, msg['step'])
            writer.flush()
    finally:
        writer.close()
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

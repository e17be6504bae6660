"""Weights between a tfjs LayersModel (model.json + weights.bin) and a PyTorch state dict.

A weight map is the list hwy computes from a network's IR (`torchWeightMap` in
src/backends/torch/weights.ts), one entry per weight in the order of the tfjs weights
manifest: {"tfjs": name, "shape": tfjs shape, "torch": state-dict key, "perm": permutation
that turns the torch tensor into the tfjs layout, or null, and "rows": [start, end) of the
torch tensor's first axis when the weight is part of it (a highway block keeps H, T and C as
the rows of one layer)}. weights.bin is every weight, float32 little-endian, concatenated in
that order.

Needs only torch and numpy.
"""
import numpy as np
import torch

_F32 = np.dtype('<f4')


def _size(shape):
    n = 1
    for d in shape:
        n *= int(d)
    return n


def _inverse(perm):
    return [int(i) for i in np.argsort(perm)]


def state_dict_to_tfjs(state_dict, weight_map):
    """The bytes of a tfjs weights.bin holding a state dict's weights, in manifest order."""
    chunks = []
    for entry in weight_map:
        key = entry['torch']
        if key not in state_dict:
            raise KeyError('the state dict has no %r (tfjs weight %s)' % (key, entry['tfjs']))
        t = state_dict[key].detach().to('cpu', torch.float32)
        if entry.get('rows') is not None:
            t = t[entry['rows'][0]:entry['rows'][1]]
        if entry['perm'] is not None:
            t = t.permute(*entry['perm'])
        if list(t.shape) != list(entry['shape']):
            raise ValueError('%s: torch %s gives shape %s, tfjs expects %s' % (entry['tfjs'], key, list(t.shape), list(entry['shape'])))
        chunks.append(t.contiguous().numpy().astype(_F32, copy=False).tobytes())
    return b''.join(chunks)


def tfjs_to_state_dict(weights_bin_bytes, weight_map):
    """A state dict (key -> float32 tensor, PyTorch layout) from the bytes of a tfjs weights.bin."""
    data = np.frombuffer(weights_bin_bytes, dtype=_F32)
    need = sum(_size(e['shape']) for e in weight_map)
    if data.size * 4 != len(weights_bin_bytes) or data.size != need:
        raise ValueError('weights.bin holds %d bytes; the weight map needs %d' % (len(weights_bin_bytes), need * 4))
    out = {}
    parts = {}
    offset = 0
    for entry in weight_map:
        n = _size(entry['shape'])
        t = torch.from_numpy(data[offset:offset + n].copy()).reshape([int(d) for d in entry['shape']])
        offset += n
        if entry['perm'] is not None:
            t = t.permute(*_inverse(entry['perm'])).contiguous()
        if entry.get('rows') is None:
            out[entry['torch']] = t
        else:
            parts.setdefault(entry['torch'], []).append((entry['rows'], t))
    for key, pieces in parts.items():
        pieces.sort(key=lambda p: p[0][0])
        expect = 0
        for rows, t in pieces:
            if rows[0] != expect or rows[1] - rows[0] != t.shape[0]:
                raise ValueError('%s: the weight map leaves a gap or an overlap at rows %s' % (key, rows))
            expect = rows[1]
        out[key] = torch.cat([t for _, t in pieces], dim=0)
    return out


def load_into(module, weights_bin_bytes, weight_map):
    """Loads tfjs weights into a module built from the same IR (every weight must be there)."""
    module.load_state_dict(tfjs_to_state_dict(weights_bin_bytes, weight_map), strict=True)
    return module

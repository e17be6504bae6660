#!/bin/bash
# Builds a self-contained folder (about 50 MB) to check hwy's PyTorch output on another
# machine, e.g. one with a GPU and torch 2.x but no Node: every spec's generated module with
# reference weights, inputs and outputs from this machine's torch, three exported jobs and an
# ONNX file. Then, there: `bash DIR/run.sh` (see README.md beside this script).
# usage: scripts/gpu-check/prepare.sh DIR   (DIR must not exist)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); root=$here/../..
dir=${1:?usage: prepare.sh DIR}
[ -e "$dir" ] && { echo "prepare.sh: $dir exists; give a new folder" >&2; exit 2; }
py=${HWY_PYTHON:-/usr/bin/python3}
hwy="node $root/bin/hwy.js"
mkdir -p "$dir/models" "$dir/ref"
cp "$here"/plain_warnings.py "$here"/make_ref.py "$here"/check_models.py "$here"/check_onnx.py "$here"/run.sh "$dir/"
for f in "$root"/specs/paper/*.hwy "$root"/specs/examples/*.hwy; do
  n=$(basename "$f" .hwy); n=${n//-/_}
  # the two largest CIFAR nets are left out to keep the folder small (the CIFAR-100 net is the only one with a separate activation layer)
  case $n in cifar100_highway | cifar10_highway_b) continue ;; esac
  $hwy compile "$f" --emit pytorch -o "$dir/models/$n.py" >/dev/null
done
"$py" "$dir/make_ref.py"
$hwy export "$root/specs/paper/mlp-highway.hwy" --to pytorch --out "$dir/job-mlp" >/dev/null
$hwy export "$root/specs/paper/mnist-conv-highway.hwy" --to pytorch --no-data --out "$dir/job-conv" >/dev/null
$hwy export "$root/specs/paper/mlp-highway.hwy" --set depth=100 --to pytorch --no-data --out "$dir/job-hw100" >/dev/null
$hwy export "$root/specs/paper/mnist-conv-highway.hwy" --to onnx --out "$dir/conv.onnx" >/dev/null
# the reference losses of this machine's torch, 3 epochs on the CPU
(cd "$dir/job-mlp" && "$py" train.py --device cpu --out "$dir/ref-run" --epochs 3 >/dev/null && rm -rf "$dir/ref-run/model")
echo "prepared $dir ($(du -sh "$dir" | cut -f1)); on the other machine: bash $dir/run.sh RESULTS_DIR"

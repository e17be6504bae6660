#!/bin/bash
# Runs on the machine under test (torch 2.x, CUDA when present); needs only Python with
# torch and numpy (onnxruntime for the ONNX check, torchrun for the DDP checks).
# usage: bash run.sh RESULTS_DIR
set -u
dir=$(cd "$(dirname "$0")" && pwd); out=${1:?usage: run.sh RESULTS_DIR}; mkdir -p "$out"; out=$(cd "$out" && pwd)
cd "$dir"
cuda=$(python3 -c 'import torch; print("cuda" if torch.cuda.is_available() else "cpu")')
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)' | tee "$out/env.txt"
echo "== generated modules: reference weights, outputs vs the reference torch (max abs diff), one SGD step"
OUT=$out python3 check_models.py | tee "$out/models.log"
echo "== ONNX vs PyTorch"
OUT=$out python3 check_onnx.py 2>&1 | tail -n 1
for j in job-conv job-hw100; do [ -e $j/data ] || ln -s ../job-mlp/data $j/data; done
step() { local name=$1; shift; local s=$(date +%s%N); "$@" > "$out/$name.log" 2>&1; local rc=$?; echo "$name: rc $rc, $(( ($(date +%s%N) - s) / 1000000 )) ms, $(grep -o 'epoch [0-9]*: loss [0-9.]*' "$out/$name.log" | tail -n 1)" | tee -a "$out/steps.txt"; }
echo "== exported jobs (reference, 3 epochs on the CPU: $(grep -o '"loss": [0-9.]*' ref-run/metrics.jsonl | tail -n 1))"
cd job-mlp
step mlp-cpu python3 train.py --device cpu --out "$out/mlp-cpu" --epochs 3
step mlp-$cuda python3 train.py --device $cuda --out "$out/mlp-$cuda" --epochs 3
step mlp-resume python3 train.py --device $cuda --out "$out/mlp-$cuda" --epochs 5 --resume
step mlp-torchrun2-cpu torchrun --standalone --nproc_per_node 2 train.py --device cpu --out "$out/ddp2" --epochs 3
step mlp-torchrun2-resume torchrun --standalone --nproc_per_node 2 train.py --device cpu --out "$out/ddp2" --epochs 5 --resume
[ $cuda = cuda ] && step mlp-torchrun1-cuda torchrun --standalone --nproc_per_node 1 train.py --device cuda --out "$out/ddp1-cuda" --epochs 3
cd ../job-conv && step conv-$cuda python3 train.py --device $cuda --out "$out/conv-$cuda" --epochs 3
step conv-cpu python3 train.py --device cpu --out "$out/conv-cpu" --epochs 1
cd ../job-hw100 && step hw100-$cuda python3 train.py --device $cuda --out "$out/hw100-$cuda" --epochs 3
step hw100-cpu python3 train.py --device cpu --out "$out/hw100-cpu" --epochs 2

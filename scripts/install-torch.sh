#!/usr/bin/env bash
# Installs Debian's PyTorch (python3-torch 1.13) and a threaded OpenBLAS for the torch
# engine, when no Python on this machine can import torch. Needs root and apt-get; where
# either is missing it says so and leaves the machine alone (the torch tests then report
# themselves as skipped, with the reason).
set -uo pipefail
for py in "${HWY_PYTHON:-}" python3 /usr/bin/python3; do
  [ -n "$py" ] || continue
  if "$py" -c 'import torch, numpy' >/dev/null 2>&1; then
    echo "torch: $("$py" -c 'import torch; print(torch.__version__)') with $py"
    exit 0
  fi
done
if ! command -v apt-get >/dev/null 2>&1; then
  echo "torch: no Python with torch here and no apt-get: install PyTorch yourself (pip install torch numpy) and set HWY_PYTHON"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "torch: no Python with torch here; as root run: apt-get install python3-torch python3-numpy libopenblas0-pthread"
  exit 0
fi
echo "torch: installing Debian's python3-torch, python3-numpy and libopenblas0-pthread…"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq python3-torch python3-numpy libopenblas0-pthread >/dev/null \
  && echo "torch: $(/usr/bin/python3 -c 'import torch; print(torch.__version__)') with /usr/bin/python3" \
  && exit 0
echo "torch: the install failed; the torch tests will be skipped"
# In CI the cross-engine tests must run: a failed install fails the run.
[ "${CI:-}" = true ] && exit 1
exit 0

#!/usr/bin/env bash
# On the GPU machine (no Node, no network), from the repo root, with .device and .gl carried:
# unpack, then check the engine against the reference, benchmark against tfjs-backend-webgpu, train a few
# steps of hare-1.1b, and cross-check an exported checkpoint with Hugging Face transformers.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json XDG_RUNTIME_DIR=/tmp
cd .device
xz -dc node.xz > /tmp/node && chmod +x /tmp/node
xz -d node_modules/webgpu/dist/linux-x64/dawn.node.xz
N="/tmp/node --max-old-space-size=16384 leveret.mjs"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>&1 | tee "$OUT/gpu.txt"
stage() { local name=$1 limit=$2; shift 2; echo "== $name"; timeout "$limit" "$@" 2>&1 | tee "$OUT/$name.txt"; }
# Stages in order of importance, each with a limit, all within one device call of under 9 minutes.
stage check 60 $N check
stage bench 130 $N bench --only engine,kernels
stage bench25 100 $N bench --only engine --presets hare-0.25b
stage hare 120 $N train --preset hare-1.1b --data data/moby-dick.jsonl --steps 8 --batch 4 --seq-len 2048 --warmup 2 --eval-interval 0
stage micro 60 $N train --preset micro --data data/moby-dick.jsonl --steps 150 --batch 16 --seq-len 256 --lr 3e-3 --eval-interval 50 --log-every 25 --save /tmp/ck
stage eval 30 $N eval --checkpoint /tmp/ck --data data/moby-dick.jsonl
stage hf 40 python3 scripts/hf_check.py /tmp/ck data/moby-dick.jsonl
# LoRA on the micro checkpoint: train an adapter, score base + adapter with Leveret and with peft (if installed).
stage lora 60 $N train --init-from /tmp/ck --lora 8 --lora-alpha 16 --lora-targets q,k,v,o,gate,up,down --data data/moby-dick.jsonl --steps 40 --batch 16 --seq-len 256 --lr 1e-3 --eval-interval 0 --log-every 10 --save /tmp/lora
stage lora-eval 30 $N eval --checkpoint /tmp/ck --adapter /tmp/lora --data data/moby-dick.jsonl
stage peft 40 python3 scripts/peft_check.py /tmp/ck /tmp/lora data/moby-dick.jsonl

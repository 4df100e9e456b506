#!/usr/bin/env bash
# HARE's data ablation (D1, D1+D3, D1+D2+D3 at equal training tokens) on the default corpus, end to end:
#   D1  Moby-Dick + State of the Union, cleaned (npm run data)
#   D3  "Who gave the State of the Union address of YEAR?" multiple choice, from sotu.jsonl's year and name
#       (scripts/examples/make-sotu-tasks.mjs); the benchmark is the same question on held-out years
#   D2  npm run synth from the model trained on D1 (a tiny model: the text is gibberish; the mechanics are the point)
# Every dataset is decontaminated against the held-out benchmark and uses D1's tokenizer; the three runs share
# preset, seed, steps, batch and sequence length, so they see the same number of training tokens.
#
#   bash scripts/examples/ablation.sh [OUT_DIR]        (default /tmp/leveret-ablation)
# Run again on the same OUT_DIR, it skips the datasets and runs already there (delete OUT_DIR to start over).
#
# Sizes (SwiftShader on 2 shared cores: about 20-25 minutes in all at these sizes). Raise STEPS on a real GPU
# and drop SWIFTSHADER.
set -euo pipefail

PRESET=tiny          # 0.16M parameters, vocabulary 512, context 128
STEPS=200            # optimizer steps per run
BATCH=4              # sequences per step
SEQ_LEN=64           # tokens per sequence: STEPS x BATCH x SEQ_LEN = 51,200 training tokens per run
SEED=1               # initialisation, data order, the task split and synth
VOCAB=512            # byte-level BPE learned on D1, reused by D1+D3 and D1+D2+D3
CLUSTERS=8           # topic clusters of D1 (synth deals its seeds over them)
W_D1=1               # mixture weights: moby-dick and sotu each W_D1 ...
W_D3=1               # ... the task rows W_D3 ...
W_D2=0.5             # ... the synthetic text W_D2
TEST_FRACTION=0.25   # share of the years held out for the benchmark
SYNTH_N=24           # synthetic samples
SYNTH_TOKENS=80      # new tokens per synthetic sample at most (prompt + these must fit the context of 128)
EVAL_INTERVAL=50     # validation loss every N steps
SWIFTSHADER=--swiftshader

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DATA="${DATA:-$ROOT/../shared/data}"
OUT="${1:-/tmp/leveret-ablation}"
mkdir -p "$OUT"
cd "$ROOT"
run() { echo "+ $*" >&2; "$@"; }
npmq() { run npm run --silent "$@"; }
# Skip a step whose output is there: a dataset (dataset.json) or a saved run (run.json).
need() { if [ -e "$1" ]; then echo "= $1 is there, skipped" >&2; return 1; fi; }

# 1. D3 rows and the held-out benchmark (disjoint years).
run node scripts/examples/make-sotu-tasks.mjs --sotu "$DATA/sotu.jsonl" --out "$OUT/tasks" --test-fraction "$TEST_FRACTION" --seed "$SEED"
BENCH="$OUT/tasks/sotu-heldout.mc.jsonl"
D1_SOURCES=(--source "moby-dick=$DATA/moby-dick.jsonl:books:$W_D1" --source "sotu=$DATA/sotu.jsonl:speeches:$W_D1")
D3_SOURCE=(--source "d3-sotu-tasks=$OUT/tasks/sotu-tasks.train.jsonl:task:$W_D3:mc")
COMMON=(--benchmark "$BENCH" --seq-len "$SEQ_LEN" --seed "$SEED")
TRAIN=(--preset "$PRESET" --steps "$STEPS" --batch "$BATCH" --seq-len "$SEQ_LEN" --seed "$SEED" --eval-interval "$EVAL_INTERVAL" --log-every 25 $SWIFTSHADER)

# 2. D1, and the run on it.
need "$OUT/data-d1/dataset.json" && npmq data -- "${D1_SOURCES[@]}" "${COMMON[@]}" --tokenizer "bpe:$VOCAB" --clusters "$CLUSTERS" --out "$OUT/data-d1"
need "$OUT/run-d1/run.json" && npmq train -- "${TRAIN[@]}" --data "$OUT/data-d1" --save "$OUT/run-d1"

# 3. D1+D3.
need "$OUT/data-d1-d3/dataset.json" && npmq data -- "${D1_SOURCES[@]}" "${D3_SOURCE[@]}" "${COMMON[@]}" --tokenizer "$OUT/data-d1/tokenizer.json" --out "$OUT/data-d1-d3"
need "$OUT/run-d1-d3/run.json" && npmq train -- "${TRAIN[@]}" --data "$OUT/data-d1-d3" --save "$OUT/run-d1-d3"

# 4. D2: synthetic text from the D1 model, seeds dealt over D1's topic clusters; then D1+D2+D3.
# The built-in templates (with the seed's excerpt) take ~240 tokens of a 512-token BPE, past tiny's context of
# 128: one short template instead. Generation stops at SYNTH_TOKENS mid-sentence, and the cleaning's
# `incomplete` rule drops a text that does not end like a sentence, so each sample is cut after its last
# . ! or ? first (synth.jsonl stays as written; synth.trimmed.jsonl is the D2 source).
echo '{"passage": "A passage about {{ topic }}."}' > "$OUT/synth-templates.json"
npmq synth -- --model "$OUT/run-d1" --seeds "$OUT/data-d1" --n "$SYNTH_N" --max-tokens "$SYNTH_TOKENS" --seed "$SEED" \
  --templates "$OUT/synth-templates.json" --out "$OUT/synth.jsonl" $SWIFTSHADER
run node -e '
  const fs = require("fs");
  const rows = fs.readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
  const cut = rows.map((r) => ({ ...r, text: r.text.slice(0, r.text.search(/[.!?][^.!?]*$/) + 1) })).filter((r) => r.text);
  fs.writeFileSync(process.argv[2], cut.map((r) => JSON.stringify(r)).join("\n") + "\n");
  console.log(`${cut.length} of ${rows.length} synthetic samples kept, each cut after its last sentence end`);
' "$OUT/synth.jsonl" "$OUT/synth.trimmed.jsonl"
need "$OUT/data-d1-d2-d3/dataset.json" && npmq data -- "${D1_SOURCES[@]}" --source "d2-synth=$OUT/synth.trimmed.jsonl:synthetic:$W_D2" "${D3_SOURCE[@]}" \
  "${COMMON[@]}" --tokenizer "$OUT/data-d1/tokenizer.json" --out "$OUT/data-d1-d2-d3"
need "$OUT/run-d1-d2-d3/run.json" && npmq train -- "${TRAIN[@]}" --data "$OUT/data-d1-d2-d3" --save "$OUT/run-d1-d2-d3"

# 5. The held-out benchmark on each run (scores land in its run.json), then the table.
for r in run-d1 run-d1-d3 run-d1-d2-d3; do
  npmq eval -- --checkpoint "$OUT/$r" --task "mc=$BENCH" $SWIFTSHADER
done
npmq compare -- "$OUT/run-d1" "$OUT/run-d1-d3" "$OUT/run-d1-d2-d3" --json "$OUT/compare.json"

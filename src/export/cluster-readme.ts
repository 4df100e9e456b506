// OUT/README.md for the Megatron export: how to continue on a cluster from the exported Hugging Face folder and
// this mixture, with the model's own hyperparameters and HARE's optimizer settings (../shared/HARE.md: AdamW
// 0.9/0.95, eps 1e-8, weight decay 0.1, clipping 1.0, peak LR 3e-4, cosine, 2M-token batches of 2048, bf16).
// The commands follow each project's documentation; none was run here, and the file says so.
import { architectureOf, isTied, type ModelConfig } from '../model/config';
import type { MegatronExport } from './megatron-mixture';

export interface ClusterReadmeInput {
  readonly config: ModelConfig;
  /** Whether the config came from --checkpoint (else it is the hare-1.1b preset, and the text says so). */
  readonly fromCheckpoint: boolean;
  readonly megatron: MegatronExport;
  readonly vocabSize: number;
}

export function clusterReadme({ config: c, fromCheckpoint, megatron, vocabSize }: ClusterReadmeInput): string {
  const seq = c.contextLength;
  // HARE: 2M tokens per optimizer step.
  const globalBatch = Math.max(1, Math.round(2 ** 21 / seq));
  const layerClass = architectureOf(c) === 'llama' ? 'LlamaDecoderLayer' : 'MistralDecoderLayer';
  const rows = megatron.sources.map((s) => `| ${s.name} | \`${s.prefix}\` | ${s.weight} | ${s.documents} | ${s.tokens} |`).join('\n');
  return `# Continuing this mixture on a cluster

Written by \`npm run export -- --megatron\`. **None of the commands below was run here**: they are written from
the documentation of Megatron-LM, torchtitan and Hugging Face transformers, with this model's hyperparameters
and HARE's optimizer settings filled in. Check them against the versions you install.

## What is here

| source | prefix | weight | documents | tokens |
|---|---|---|---|---|
${rows}

- \`PREFIX.bin\` / \`PREFIX.idx\`: Megatron-LM indexed datasets (\`MMIDIDX\` version 1, ${megatron.dtype} tokens),
  one document per record kept by Leveret's pipeline (\`cleaned.jsonl\`, train and validation records alike),
  re-tokenized with the dataset's \`tokenizer.json\` and each followed by EOS, as \`--append-eod\` does.
- \`data-path.txt\`: \`${megatron.dataPath}\` — the weights are the mixture weights as given in Leveret;
  Megatron normalizes them. Prefixes are relative to this folder, so run from it.

${fromCheckpoint ? 'The model below is the one given with `--checkpoint`.' : 'No `--checkpoint` was given: the model below is the `hare-1.1b` preset; change the sizes to yours.'}
Its Hugging Face folder (\`config.json\`, \`model.safetensors\`, \`tokenizer.json\`) is called \`$HF\` below.

## Megatron-LM

Convert the Hugging Face weights (the loader for Llama and Mistral checkpoints):

\`\`\`sh
python $MEGATRON/tools/checkpoint/convert.py --model-type GPT --loader llama_mistral --saver core \\
  --checkpoint-type hf --model-size ${architectureOf(c) === 'llama' ? 'llama2-7B' : 'mistral-7B'} \\
  --load-dir $HF --save-dir $CKPT --tokenizer-model $HF \\
  --target-tensor-parallel-size 1 --target-pipeline-parallel-size 1 --bf16
\`\`\`

(\`--model-size\` picks the loader's family; the sizes are read from \`config.json\`. The loader's list of sizes
differs between Megatron-LM releases: if yours refuses a model this small, train from scratch without \`--load\`.)

Train, from this folder:

\`\`\`sh
cd /path/to/this/folder
torchrun --nproc_per_node 8 --nnodes $NNODES --node_rank $RANK --master_addr $MASTER --master_port 6000 \\
  $MEGATRON/pretrain_gpt.py \\
  --use-mcore-models --num-layers ${c.nLayers} --hidden-size ${c.dim} --ffn-hidden-size ${c.hiddenDim} \\
  --num-attention-heads ${c.nHeads} --group-query-attention --num-query-groups ${c.nKvHeads} \\
  --seq-length ${seq} --max-position-embeddings ${c.contextLength} \\
  --position-embedding-type rope --rotary-base ${c.ropeTheta} --normalization RMSNorm --norm-epsilon ${c.normEps} \\
  --swiglu --disable-bias-linear ${isTied(c) ? '' : '--untie-embeddings-and-output-weights '}--attention-softmax-in-fp32 \\
  --tokenizer-type HuggingFaceTokenizer --tokenizer-model $HF --vocab-size ${vocabSize} \\
  --data-path $(cat data-path.txt) --split 99,1,0 \\
  --optimizer adam --adam-beta1 0.9 --adam-beta2 0.95 --adam-eps 1e-8 --weight-decay 0.1 --clip-grad 1.0 \\
  --lr 3e-4 --min-lr 3e-5 --lr-decay-style cosine --lr-warmup-iters 2000 --train-iters $ITERS \\
  --micro-batch-size 8 --global-batch-size ${globalBatch} --bf16 \\
  --load $CKPT --finetune --save $CKPT-continued --save-interval 1000 --eval-interval 1000 --eval-iters 10 --log-interval 10
\`\`\`

\`--finetune\` loads the converted weights and starts a fresh optimizer and iteration count; leave out \`--load\` and
\`--finetune\` to train from scratch. The global batch is ${globalBatch} sequences of ${seq} tokens (HARE's 2M tokens).

## torchtitan

torchtitan reads Hugging Face checkpoints and datasets, not Megatron's indexed files: give it the records
(\`cleaned.jsonl\` from the Leveret dataset folder) as a Hugging Face dataset, and the weights with its
Hugging Face checkpoint loading:

\`\`\`sh
torchrun --nproc_per_node 8 -m torchtitan.train --job.config_file llama3_debugmodel.toml \\
  --model.name llama3 --model.hf_assets_path $HF \\
  --checkpoint.enable --checkpoint.initial_load_path $HF --checkpoint.initial_load_in_hf \\
  --optimizer.name AdamW --optimizer.lr 3e-4 --optimizer.eps 1e-8 --optimizer.weight_decay 0.1 \\
  --training.max_norm 1.0 --training.seq_len ${seq} --training.mixed_precision_param bfloat16 \\
  --parallelism.data_parallel_shard_degree -1
\`\`\`

Set the model's sizes in a model flavor of torchtitan's \`llama3\` args (dim ${c.dim}, n_layers ${c.nLayers},
n_heads ${c.nHeads}, n_kv_heads ${c.nKvHeads}, vocab_size ${vocabSize}, rope_theta ${c.ropeTheta}, norm_eps ${c.normEps}, hidden dim ${c.hiddenDim})${isTied(c) ? '; this model ties its head to the embedding, which torchtitan\'s llama3 does not: untie it (copy the embedding into lm_head) first' : ''}.
AdamW's betas default to (0.9, 0.95) there.

## Hugging Face Trainer with FSDP

\`transformers\`' \`examples/pytorch/language-modeling/run_clm.py\` on the records, sharded with FSDP:

\`\`\`sh
torchrun --nproc_per_node 8 run_clm.py \\
  --model_name_or_path $HF --train_file cleaned.jsonl --block_size ${seq} \\
  --do_train --bf16 --per_device_train_batch_size 8 --gradient_accumulation_steps $ACCUM \\
  --learning_rate 3e-4 --lr_scheduler_type cosine --warmup_steps 2000 \\
  --adam_beta1 0.9 --adam_beta2 0.95 --adam_epsilon 1e-8 --weight_decay 0.1 --max_grad_norm 1.0 \\
  --fsdp "full_shard auto_wrap" --fsdp_transformer_layer_cls_to_wrap ${layerClass} \\
  --output_dir continued
\`\`\`

The Trainer reads one file without mixture weights; to keep the weights, build the training set with
\`datasets.interleave_datasets(..., probabilities=[...])\` over the sources. Choose \`$ACCUM\` so that
8 GPUs × 8 × $ACCUM × ${seq} tokens is about 2M. Unlike Leveret, the Trainer also decays norm weights unless told otherwise.
`;
}

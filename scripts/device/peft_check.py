# On the GPU machine: load the base model with Hugging Face transformers and a LoRA adapter Leveret wrote
# with peft.PeftModel.from_pretrained (unmerged, as PEFT runs it), and compute `npm run eval --adapter`'s
# measure with them: mean next-token cross-entropy over the file's documents, each BOS + its tokens
# truncated to the context length. Compare its "peft loss" with Leveret's "loss" line for the same files.
#   python3 peft_check.py BASE_DIR ADAPTER_DIR DATA.jsonl
import json, sys, torch
from transformers import AutoModelForCausalLM, AutoTokenizer
from peft import PeftModel

base_dir, adapter_dir, data = sys.argv[1], sys.argv[2], sys.argv[3]
tok = AutoTokenizer.from_pretrained(base_dir)
base = AutoModelForCausalLM.from_pretrained(base_dir, torch_dtype=torch.float32)
model = PeftModel.from_pretrained(base, adapter_dir).cuda().eval()
cfg = model.peft_config["default"]
print(f"loaded {type(base).__name__} + LoRA r {cfg.r}, alpha {cfg.lora_alpha} on {sorted(cfg.target_modules)}")
trainable = sum(p.numel() for n, p in model.named_parameters() if "lora_" in n)
print(f"adapter parameters: {trainable}")
ctx = base.config.max_position_embeddings
total, count, docs = 0.0, 0, 0
with open(data) as f, torch.no_grad():
    for line in f:
        text = json.loads(line)["text"]
        ids = [tok.bos_token_id] + tok(text[: ctx * 32], add_special_tokens=False).input_ids
        ids = ids[:ctx]
        if len(ids) < 2:
            continue
        x = torch.tensor([ids], device="cuda")
        logits = model(input_ids=x).logits[0, :-1].float()
        total += torch.nn.functional.cross_entropy(logits, x[0, 1:], reduction="sum").item()
        count += len(ids) - 1
        docs += 1
print(f"{docs} documents, {count} predicted tokens")
print(f"peft loss: {total / count:.6f}")

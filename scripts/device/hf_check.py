# On the GPU machine: load a checkpoint Leveret wrote with Hugging Face transformers (from_pretrained) and
# compute `npm run eval`'s measure with it, so the two numbers can be compared: mean next-token
# cross-entropy over the file's documents, each BOS + its tokens truncated to the context length.
import json, sys, torch
from transformers import AutoModelForCausalLM, AutoTokenizer

ck, data = sys.argv[1], sys.argv[2]
tok = AutoTokenizer.from_pretrained(ck)
model = AutoModelForCausalLM.from_pretrained(ck, torch_dtype=torch.float32).cuda().eval()
ctx = model.config.max_position_embeddings
print(f"loaded {type(model).__name__}: {sum(p.numel() for p in model.parameters())} parameters, vocab {model.config.vocab_size}")
total, count, docs = 0.0, 0, 0
with open(data) as f, torch.no_grad():
    for line in f:
        text = json.loads(line)["text"]
        ids = [tok.bos_token_id] + tok(text[: ctx * 32], add_special_tokens=False).input_ids
        ids = ids[:ctx]
        if len(ids) < 2:
            continue
        x = torch.tensor([ids], device="cuda")
        logits = model(x).logits[0, :-1].float()
        total += torch.nn.functional.cross_entropy(logits, x[0, 1:], reduction="sum").item()
        count += len(ids) - 1
        docs += 1
print(f"{docs} documents, {count} predicted tokens")
print(f"hf loss: {total / count:.6f}")

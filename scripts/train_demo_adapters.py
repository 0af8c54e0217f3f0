#!/usr/bin/env python3
"""Train the two demo LoRA adapters (adapters/capitals, adapters/json-answer) for SmolLM2-135M-Instruct on the CPU.

Written against Python 3.11, torch 2.15.0, transformers 5.24.0, peft 0.21.2, gguf 0.19.0, safetensors 0.8.0,
tokenizers 0.23.3, jinja2 3.1.6, numpy 2.4.6 (the pins in scripts/train-demo-adapters, which runs this file).

The base is the demo GGUF (models/SmolLM2-135M-Instruct.Q4_1.gguf, from scripts/fetch-demo-model) loaded by
transformers' GGUF loader, which dequantizes Q4_1 to float32 and un-permutes llama q/k rows into HF order, the same
weights slora serves. The data is synthetic and made from the base model's own answers:

  1. INSTRUCTIONS (below) are sent through the GGUF's chat template (its default system prompt included) and the
     base model answers greedily (at most 48 new tokens, batches of 16 with left padding). An answer that ended by
     itself within 32 tokens is kept whole; any other is cut to its first sentence, kept if that is within 32 tokens,
     else dropped (short answers keep CPU training fast).
  2. Each task transforms the answer: `capitals` = the answer in upper case; `json-answer` = the JSON object
     {"answer": "<answer text>"} (json.dumps escaping).
  3. One LoRA per task learns prompt -> transformed answer + <|im_end|>; only the answer tokens are in the loss.
  4. Evaluation: the saved adapter is loaded back from disk onto a fresh base (PeftModel.from_pretrained) and answers
     EVAL_PROMPTS (not in INSTRUCTIONS) greedily; adapters/eval_prompts.json keeps prompts, token ids and texts for
     slora's server tests. capitals passes when >= 90% of the letters are upper case; json-answer passes when the
     output parses as a JSON object with an "answer" key.

Deterministic: fixed seeds, a fixed thread count (2), no dropout, a fixed example order and fixed generation
batches. Idempotent: an adapter whose files exist is not retrained (use --force); the base answers are cached
in the work folder; the evaluation file is rewritten from the committed adapters on every run.

Usage: python scripts/train_demo_adapters.py [--force] [--only NAME] [--work-dir DIR] [--threads N]
(normally through scripts/train-demo-adapters, which prepares the venv and the model).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import re
import shutil
import sys
import textwrap
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

REPO_ROOT = Path(__file__).resolve().parent.parent
MODEL_DIR = REPO_ROOT / "models"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
ADAPTERS_DIR = REPO_ROOT / "adapters"
BASE_MODEL_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"
SEED = 1234
MAX_NEW_TOKENS_DATA = 48  # base answers used as training data
MAX_ANSWER_TOKENS = 32  # longer answers are cut to their first sentence (or dropped)
GENERATION_BATCH = 16  # base answers are generated in batches (left padding)
MAX_NEW_TOKENS_EVAL = 96  # eval outputs (upper case text takes ~2x the tokens of the original)

# MARK: - Instructions (training) and evaluation prompts (unseen)

INSTRUCTIONS: list[str] = [
    # Facts: geography
    "What is the capital of France?",
    "What is the capital of Japan?",
    "What is the capital of Canada?",
    "What is the capital of Australia?",
    "What is the capital of Brazil?",
    "What is the capital of Egypt?",
    "What is the capital of Germany?",
    "What is the capital of Kenya?",
    "Which is the largest ocean on Earth?",
    "Which is the longest river in the world?",
    "What is the highest mountain in the world?",
    "On which continent is Argentina?",
    "Which country has the largest population?",
    "What is the largest desert in the world?",
    "Name the smallest country in the world.",
    "Which ocean lies between Europe and North America?",
    "What language is spoken in Brazil?",
    "What currency is used in Japan?",
    "How many continents are there?",
    "Where is the Eiffel Tower?",
    # Facts: science
    "What is the chemical symbol for gold?",
    "What is the boiling point of water in Celsius?",
    "What planet is known as the Red Planet?",
    "How many planets are in the solar system?",
    "What gas do plants absorb from the air?",
    "What is the largest planet in our solar system?",
    "What is H2O?",
    "What is the speed of light?",
    "What organ pumps blood through the body?",
    "How many bones are in the adult human body?",
    "What is photosynthesis?",
    "What is gravity?",
    "What is the closest star to Earth?",
    "What do bees make?",
    "Why is the sky blue?",
    "What is an atom?",
    "What is the freezing point of water in Fahrenheit?",
    "How many legs does a spider have?",
    "What is the hardest natural substance?",
    "What is DNA?",
    "What causes the seasons on Earth?",
    "What is the main gas in the air we breathe?",
    "What is a mammal?",
    "How long does the Earth take to orbit the Sun?",
    "What is the chemical symbol for iron?",
    # Facts: history and culture
    "Who wrote Romeo and Juliet?",
    "Who painted the Mona Lisa?",
    "Who was the first person to walk on the Moon?",
    "In which year did World War II end?",
    "Who invented the telephone?",
    "Who discovered penicillin?",
    "Who wrote Pride and Prejudice?",
    "Who composed the Moonlight Sonata?",
    "What is the Great Wall of China?",
    "Who was Albert Einstein?",
    "What were the pyramids of Giza used for?",
    "Who was the first President of the United States?",
    "What is the Olympic Games?",
    "Who wrote the Odyssey?",
    "What is the Renaissance?",
    # Definitions
    "What is a noun?",
    "What is a verb?",
    "What is an adjective?",
    "Define the word 'generous'.",
    "What does 'ancient' mean?",
    "What is a haiku?",
    "What is a democracy?",
    "What is inflation?",
    "What is a computer?",
    "What is the internet?",
    "What is a prime number?",
    "What is an algorithm?",
    "What is a triangle?",
    "What is a volcano?",
    "What is a rainbow?",
    "What is a library?",
    "What is a recipe?",
    "What is a budget?",
    "What is a metaphor?",
    "What does a doctor do?",
    "What does a teacher do?",
    "What does a firefighter do?",
    "What is a robot?",
    "What is music?",
    "What is friendship?",
    # Math and numbers
    "What is 2 plus 2?",
    "What is 10 times 5?",
    "What is 100 divided by 4?",
    "What is the square root of 81?",
    "How many minutes are in an hour?",
    "How many days are in a week?",
    "How many hours are in a day?",
    "How many sides does a hexagon have?",
    "Is 7 a prime number?",
    "What is half of 50?",
    "How many centimeters are in a meter?",
    "What is 15 minus 6?",
    "How many months are in a year?",
    "What is the value of pi to two decimal places?",
    "How many seconds are in a minute?",
    # Short tasks: words
    "Give me a synonym for happy.",
    "Give me an antonym for cold.",
    "What is the plural of mouse?",
    "What is the past tense of run?",
    "Spell the word 'necessary'.",
    "Give me a word that rhymes with cat.",
    "Name three colors.",
    "Name three fruits.",
    "Name three animals that live in the sea.",
    "Name a musical instrument with strings.",
    "Name two vegetables that are green.",
    "Name three kinds of weather.",
    "List the days of the weekend.",
    "Name a bird that cannot fly.",
    "Name a famous scientist.",
    # Short tasks: writing
    "Write one sentence about the ocean.",
    "Write a short greeting for a friend.",
    "Write a one-line motto for a bakery.",
    "Describe a cat in one sentence.",
    "Describe the color blue to someone.",
    "Write a short sentence about rain.",
    "Write a title for a story about a dragon.",
    "Give me a name for a pet dog.",
    "Write a short thank-you note.",
    "Write a sentence using the word 'bright'.",
    "Describe a sunny day in one sentence.",
    "Write a short slogan for recycling.",
    "Suggest a name for a coffee shop.",
    "Write a short birthday wish.",
    "Complete the sentence: The early bird...",
    # Advice and how-to
    "How do I boil an egg?",
    "How can I fall asleep faster?",
    "Give me one tip for staying healthy.",
    "How do I make a cup of tea?",
    "How can I save money?",
    "Give me a tip for learning a new language.",
    "How do I stay focused while studying?",
    "What should I pack for a beach trip?",
    "How often should I water a cactus?",
    "How can I be more productive?",
    "Give me one tip for public speaking.",
    "How do I keep my plants healthy?",
    "What is a good breakfast?",
    "How can I reduce stress?",
    "How do I wash my hands properly?",
    # Everyday knowledge
    "What color is a banana?",
    "What do cows eat?",
    "What sound does a dog make?",
    "Where do penguins live?",
    "What is the opposite of day?",
    "What do you call a baby cat?",
    "What do you use an umbrella for?",
    "Which season comes after winter?",
    "What is the first letter of the alphabet?",
    "Why do we need sleep?",
    "What is bread made from?",
    "What do fish breathe with?",
    "Why do leaves change color in autumn?",
    "What is the tallest animal?",
    "What is the fastest land animal?",
    # Opinions and misc
    "What is your name?",
    "Who are you?",
    "What can you help me with?",
    "Tell me a fun fact.",
    "Tell me a fun fact about octopuses.",
    "Why is reading important?",
    "Why is exercise good for you?",
    "What makes a good friend?",
    "Why do people travel?",
    "What is the best way to learn?",
    "Translate 'hello' into Spanish.",
    "Translate 'thank you' into French.",
    "How do you say 'good morning' in German?",
    "What is the meaning of life?",
    "Say something kind.",
    "What is a good name for a cat?",
    "What is the weather like on the Moon?",
    "Can penguins fly?",
    "Is the Sun a star?",
    "Do fish sleep?",
]

# Never in INSTRUCTIONS (checked at start-up); slora's server tests replay these.
EVAL_PROMPTS: list[str] = [
    "What is the capital of Italy?",
    "Name a planet in our solar system.",
    "What is the opposite of hot?",
    "Who wrote Hamlet?",
    "Give me a tip for staying calm.",
]

# MARK: - Tasks


def to_capitals(answer: str) -> str:
    """`capitals`: the base answer in upper case."""
    return answer.upper()


def to_json_answer(answer: str) -> str:
    """`json-answer`: the base answer as the JSON object {"answer": ...} (json.dumps escaping, ASCII only)."""
    return json.dumps({"answer": answer})


def capitals_check(text: str) -> tuple[bool, str]:
    """Passes when at least 90% of the letters are upper case."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False, "no letters"
    upper = sum(1 for c in letters if c.isupper()) / len(letters)
    return upper >= 0.9, f"{upper:.0%} of {len(letters)} letters upper case"


def json_answer_check(text: str) -> tuple[bool, str]:
    """Passes when the whole output parses as a JSON object with an "answer" key."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        return False, f"not JSON ({error.msg} at char {error.pos})"
    if not isinstance(value, dict) or "answer" not in value:
        return False, "JSON but not an object with an \"answer\" key"
    return True, "JSON object with keys " + ", ".join(sorted(value))


@dataclass(frozen=True)
class Task:
    name: str
    transform: Callable[[str], str]
    check: Callable[[str], tuple[bool, str]]
    rank: int
    alpha: int
    target_modules: tuple[str, ...]
    learning_rate: float
    epochs: int
    description: str


ALL_LINEAR = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")

TASKS: list[Task] = [
    Task("capitals", to_capitals, capitals_check, rank=8, alpha=16, target_modules=ALL_LINEAR,
         learning_rate=2e-3, epochs=5, description="answers like the base model, in UPPER CASE"),
    Task("json-answer", to_json_answer, json_answer_check, rank=8, alpha=16, target_modules=ALL_LINEAR,
         learning_rate=2e-3, epochs=3, description='answers like the base model, wrapped as {"answer": "..."}'),
]

BATCH_SIZE = 8
WARMUP_STEPS = 5

# MARK: - Helpers


def log(message: str) -> None:
    print(message, flush=True)


def seed_everything(seed: int) -> None:
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def chat_prompt_ids(tokenizer, instruction: str) -> list[int]:
    """Token ids of the chat-formatted prompt (GGUF template, its default system prompt, generation prompt)."""
    text = tokenizer.apply_chat_template([{"role": "user", "content": instruction}], tokenize=False,
                                         add_generation_prompt=True)
    return tokenizer(text, add_special_tokens=False)["input_ids"]


def greedy(model, tokenizer, prompt_ids: list[int], max_new_tokens: int) -> tuple[list[int], bool]:
    """Greedy continuation of one prompt (no batching, no padding); returns (new ids without EOS, stopped at EOS)."""
    import torch

    input_ids = torch.tensor([prompt_ids])
    with torch.no_grad():
        out = model.generate(input_ids, attention_mask=torch.ones_like(input_ids), max_new_tokens=max_new_tokens,
                             do_sample=False, eos_token_id=tokenizer.eos_token_id,
                             pad_token_id=tokenizer.eos_token_id)
    new = out[0, len(prompt_ids):].tolist()
    if tokenizer.eos_token_id in new:
        return new[: new.index(tokenizer.eos_token_id)], True
    return new, False


def greedy_batch(model, tokenizer, prompts: list[list[int]], max_new_tokens: int) -> list[tuple[list[int], bool]]:
    """Greedy continuations of several prompts at once (left padding); per prompt (new ids without EOS, stopped)."""
    import torch

    width = max(len(p) for p in prompts)
    input_ids = torch.full((len(prompts), width), tokenizer.eos_token_id, dtype=torch.long)  # [B, T]
    attention = torch.zeros((len(prompts), width), dtype=torch.long)  # [B, T]
    for row, prompt in enumerate(prompts):
        input_ids[row, width - len(prompt) :] = torch.tensor(prompt)
        attention[row, width - len(prompt) :] = 1
    with torch.no_grad():
        out = model.generate(input_ids, attention_mask=attention, max_new_tokens=max_new_tokens, do_sample=False,
                             eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.eos_token_id)
    results = []
    for row in out[:, width:].tolist():
        if tokenizer.eos_token_id in row:
            results.append((row[: row.index(tokenizer.eos_token_id)], True))
        else:
            results.append((row, False))
    return results


SENTENCE_END = re.compile(r"[.!?](?=\s|$)")  # not the "." inside "3.14"
LIST_MARKER = re.compile(r"(^|\n)\s*\d{1,2}$")  # "1" of a "1. " list item at a line start


def clean_answer(tokenizer, raw: str, stopped: bool) -> str | None:
    """The training answer: the whole base answer when it ended by itself within MAX_ANSWER_TOKENS, else its first
    sentence when that is within MAX_ANSWER_TOKENS, else None (dropped). Short answers keep training fast."""
    def short(text: str) -> bool:
        return 0 < len(tokenizer(text, add_special_tokens=False)["input_ids"]) <= MAX_ANSWER_TOKENS

    raw = raw.strip()
    if stopped and short(raw):
        return raw
    for match in SENTENCE_END.finditer(raw):
        if LIST_MARKER.search(raw[: match.start()]) is None:
            first = raw[: match.end()].strip()
            return first if short(first) else None
    return None


def make_work_dir(path: Path) -> None:
    """Creates the cache folder with a `*` .gitignore inside, so it stays out of git even without a root entry."""
    path.mkdir(parents=True, exist_ok=True)
    (path / ".gitignore").write_text("*\n")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# MARK: - Steps


def load_base():
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    tokenizer = AutoTokenizer.from_pretrained(MODEL_DIR, gguf_file=MODEL_FILE)
    model = AutoModelForCausalLM.from_pretrained(MODEL_DIR, gguf_file=MODEL_FILE, dtype=torch.float32)
    model.eval()
    return model, tokenizer


def base_answers(model, tokenizer, cache_path: Path) -> list[dict]:
    """The base model's raw greedy answers to INSTRUCTIONS, cached (keyed by model hash and settings)."""
    settings = [file_sha256(MODEL_DIR / MODEL_FILE), INSTRUCTIONS, MAX_NEW_TOKENS_DATA, GENERATION_BATCH]
    key = hashlib.sha256(json.dumps(settings).encode()).hexdigest()
    if cache_path.exists():
        cached = json.loads(cache_path.read_text())
        if cached.get("key") == key:
            log(f"base answers: cached ({cache_path})")
            return cached["answers"]
    started = time.time()
    generated: list[tuple[str, bool]] = []
    for start in range(0, len(INSTRUCTIONS), GENERATION_BATCH):
        prompts = [chat_prompt_ids(tokenizer, i) for i in INSTRUCTIONS[start : start + GENERATION_BATCH]]
        for ids, stopped in greedy_batch(model, tokenizer, prompts, MAX_NEW_TOKENS_DATA):
            generated.append((tokenizer.decode(ids, skip_special_tokens=True).strip(), stopped))
        log(f"base answers: {len(generated)}/{len(INSTRUCTIONS)} ({time.time() - started:.0f} s)")
    answers = [{"instruction": instruction, "raw": raw, "stopped": stopped}
               for instruction, (raw, stopped) in zip(INSTRUCTIONS, generated)]
    make_work_dir(cache_path.parent)
    cache_path.write_text(json.dumps({"key": key, "answers": answers}, indent=1, ensure_ascii=False) + "\n")
    log(f"base answers: {len(answers)} in {time.time() - started:.0f} s")
    return answers


def build_examples(tokenizer, answers: list[dict], task: Task) -> list[tuple[list[int], list[int]]]:
    """(input ids, labels) per usable answer; labels are -100 on the prompt."""
    examples = []
    for item in answers:
        answer = clean_answer(tokenizer, item["raw"], item["stopped"])
        if answer is None:
            continue
        prompt = chat_prompt_ids(tokenizer, item["instruction"])
        target = tokenizer(task.transform(answer), add_special_tokens=False)["input_ids"]
        target.append(tokenizer.eos_token_id)
        examples.append((prompt + target, [-100] * len(prompt) + target))
    return examples


def train(model, tokenizer, examples, task: Task):
    """Wraps `model` in a fresh LoRA for `task` and trains it; returns the PeftModel and the last epoch's mean loss."""
    import torch
    from peft import LoraConfig, get_peft_model

    seed_everything(SEED)
    config = LoraConfig(r=task.rank, lora_alpha=task.alpha, lora_dropout=0.0, bias="none",
                        target_modules=list(task.target_modules), task_type="CAUSAL_LM")
    peft_model = get_peft_model(model, config)
    trainable = [p for p in peft_model.parameters() if p.requires_grad]
    log(f"[{task.name}] {len(examples)} examples, {sum(p.numel() for p in trainable):,} trainable parameters")
    optimizer = torch.optim.AdamW(trainable, lr=task.learning_rate, weight_decay=0.0)
    total_steps = math.ceil(len(examples) / BATCH_SIZE) * task.epochs

    def lr_factor(step: int) -> float:
        if step < WARMUP_STEPS:
            return (step + 1) / WARMUP_STEPS
        return max(0.0, (total_steps - step) / max(1, total_steps - WARMUP_STEPS))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_factor)
    # Batches of similar length (little padding); their order is shuffled every epoch.
    by_length = sorted(range(len(examples)), key=lambda i: (len(examples[i][0]), i))
    batches = [by_length[start : start + BATCH_SIZE] for start in range(0, len(by_length), BATCH_SIZE)]
    rng = random.Random(SEED)
    peft_model.train()
    step = 0
    started = time.time()
    for epoch in range(task.epochs):
        rng.shuffle(batches)
        losses = []
        for indices in batches:
            batch = [examples[i] for i in indices]
            width = max(len(ids) for ids, _ in batch)
            input_ids = torch.full((len(batch), width), tokenizer.eos_token_id, dtype=torch.long)  # [B, T]
            labels = torch.full((len(batch), width), -100, dtype=torch.long)  # [B, T]
            attention = torch.zeros((len(batch), width), dtype=torch.long)  # [B, T]
            for row, (ids, labs) in enumerate(batch):  # right padding
                input_ids[row, : len(ids)] = torch.tensor(ids)
                labels[row, : len(labs)] = torch.tensor(labs)
                attention[row, : len(ids)] = 1
            loss = answer_loss(peft_model, input_ids, attention, labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            losses.append(loss.item())
            step += 1
            if step % 10 == 0:
                log(f"[{task.name}] step {step}/{total_steps}: loss {losses[-1]:.4f} ({time.time() - started:.0f} s)")
        epoch_loss = sum(losses) / len(losses)
        log(f"[{task.name}] epoch {epoch + 1}/{task.epochs}: mean loss {epoch_loss:.4f} "
            f"(step {step}/{total_steps}, {time.time() - started:.0f} s)")
    peft_model.eval()
    return peft_model, epoch_loss


def answer_loss(peft_model, input_ids, attention, labels):
    """Mean next-token cross-entropy over the answer tokens only. Same value as the causal-LM loss with these labels,
    but the vocabulary projection runs only where a label is (the prompt's logits are never computed)."""
    import torch

    llama = peft_model.get_base_model()  # LlamaForCausalLM with the LoRA layers injected
    hidden = llama.model(input_ids=input_ids, attention_mask=attention).last_hidden_state  # [B, T, H]
    targets = labels[:, 1:]  # [B, T-1]
    keep = targets != -100  # [B, T-1]
    logits = llama.lm_head(hidden[:, :-1][keep])  # [N, V]
    return torch.nn.functional.cross_entropy(logits, targets[keep])


def save_adapter(peft_model, task: Task, out_dir: Path, stats: dict) -> None:
    """Writes adapter_config.json + adapter_model.safetensors (PEFT's save_pretrained, F16) + README.md."""
    import torch

    for name, param in peft_model.named_parameters():
        if "lora_" in name:
            param.data = param.data.to(torch.float16)
    peft_model.peft_config["default"].base_model_name_or_path = BASE_MODEL_ID
    tmp_dir = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(tmp_dir, ignore_errors=True)
    peft_model.save_pretrained(tmp_dir)
    # Stable config: target_modules is a set inside PEFT (its saved order would follow string hashing).
    config_path = tmp_dir / "adapter_config.json"
    config = json.loads(config_path.read_text())
    if isinstance(config.get("target_modules"), list):
        config["target_modules"] = sorted(config["target_modules"])
    config_path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    (tmp_dir / "README.md").write_text(adapter_readme(task, stats))
    for path in tmp_dir.iterdir():
        path.chmod(0o644)
    shutil.rmtree(out_dir, ignore_errors=True)
    tmp_dir.rename(out_dir)


def adapter_readme(task: Task, stats: dict) -> str:
    example = task.transform("The capital of France is Paris.")
    bullets = [
        f"Base: `{BASE_MODEL_ID}` as the Q4_1 GGUF `models/{MODEL_FILE}` (scripts/fetch-demo-model, sha256 "
        f"`{stats['model_sha256']}`), dequantized to float32 by transformers' GGUF loader.",
        f"LoRA: r={task.rank}, lora_alpha={task.alpha}, no dropout, on {', '.join(task.target_modules)} of all 30 "
        f"layers; weights saved as F16 ({stats['size_bytes']:,} bytes).",
        f"Data: {stats['examples']} synthetic examples: the base model's own greedy answers (at most "
        f"{MAX_NEW_TOKENS_DATA} new tokens; answers over {MAX_ANSWER_TOKENS} tokens cut to their first sentence) to "
        f"short instructions written in scripts/train_demo_adapters.py, sent through the model's chat template "
        f"(default system prompt), transformed by `{task.transform.__name__}`; only the answer tokens and the "
        f"closing `<|im_end|>` are in the loss.",
        f"Training: AdamW lr {task.learning_rate:g}, {WARMUP_STEPS} warm-up steps then linear decay, batch "
        f"{BATCH_SIZE}, {task.epochs} epochs, seed {SEED}, CPU float32, {stats['threads']} threads; last epoch's "
        f"mean loss {stats['final_loss']:.4f}; {stats['train_seconds'] / 60:.0f} min wall time.",
        f"Made by `scripts/train-demo-adapters` ({stats['versions']}).",
        "Evaluation on 5 prompts not in the training data: `adapters/eval_prompts.json`.",
    ]
    wrapped = "\n".join(textwrap.fill(b, width=116, initial_indent="- ", subsequent_indent="  ") for b in bullets)
    return (f"# {task.name}: demo LoRA adapter for SmolLM2-135M-Instruct\n\n"
            f"A tiny PEFT LoRA that {task.description}, e.g. `{example}`\n"
            f"It exists to demo and test slora's multi-adapter serving; it is not a useful model.\n\n"
            f"{wrapped}\n")


def evaluate(base, tokenizer, threads: int) -> bool:
    """Greedy outputs of the base and of each saved adapter on EVAL_PROMPTS; writes adapters/eval_prompts.json."""
    from peft import PeftModel

    prompts = []
    for prompt in EVAL_PROMPTS:
        ids = chat_prompt_ids(tokenizer, prompt)
        prompts.append({"prompt": prompt, "chat_prompt": tokenizer.decode(ids), "prompt_token_ids": ids})

    def outputs_for(model) -> list[dict]:
        results = []
        for item in prompts:
            ids, stopped = greedy(model, tokenizer, item["prompt_token_ids"], MAX_NEW_TOKENS_EVAL)
            results.append({"text": tokenizer.decode(ids, skip_special_tokens=True), "token_ids": ids,
                            "finish_reason": "stop" if stopped else "length"})
        return results

    report = {
        "description": "Greedy outputs (temperature 0) of the demo base model and of each demo adapter for prompts "
                       "that are not in the adapters' training data; made by scripts/train-demo-adapters with "
                       "transformers + PEFT on the CPU in float32 over the dequantized GGUF.",
        "base_model": BASE_MODEL_ID,
        "model_file": MODEL_FILE,
        "max_tokens": MAX_NEW_TOKENS_EVAL,
        "prompts": prompts,
        "outputs": {"base": outputs_for(base)},
        "checks": {},
    }
    all_pass = True
    for task in TASKS:
        adapter_dir = ADAPTERS_DIR / task.name
        if not (adapter_dir / "adapter_model.safetensors").is_file():
            log(f"\n== eval {task.name}: no adapter at {adapter_dir.relative_to(REPO_ROOT)} -> FAIL")
            all_pass = False
            continue
        model = PeftModel.from_pretrained(base, adapter_dir)
        model.eval()
        outputs = outputs_for(model)
        base = model.unload()  # removes the LoRA layers again (no merge)
        checks = [task.check(o["text"]) for o in outputs]
        passed = sum(ok for ok, _ in checks)
        task_pass = passed >= 4  # "mostly": at least 4 of 5
        all_pass &= task_pass
        report["outputs"][task.name] = outputs
        report["checks"][task.name] = {"passed": passed, "of": len(checks), "details": [d for _, d in checks]}
        log(f"\n== eval {task.name}: {passed}/{len(checks)} pass -> {'PASS' if task_pass else 'FAIL'}")
        for item, output, (ok, detail) in zip(prompts, outputs, checks):
            log(f"  [{'ok' if ok else 'NO'}] {item['prompt']!r}\n       -> {output['text']!r}  ({detail})")
    log("\n== eval base (reference)")
    for item, output in zip(prompts, report["outputs"]["base"]):
        log(f"  {item['prompt']!r}\n       -> {output['text']!r}")
    path = ADAPTERS_DIR / "eval_prompts.json"
    text = json.dumps(report, indent=1, ensure_ascii=False)
    text = re.sub(r"\[\s*(-?\d+(?:,\s*-?\d+)*)\s*\]", lambda m: "[" + re.sub(r",\s*", ", ", m.group(1)) + "]", text)
    path.write_text(text + "\n")  # token id lists on one line each
    log(f"\nwrote {path.relative_to(REPO_ROOT)}")
    return all_pass


# MARK: - Main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--force", action="store_true", help="retrain adapters even when their files exist")
    parser.add_argument("--only", choices=[t.name for t in TASKS], help="train only this adapter")
    parser.add_argument("--work-dir", type=Path, default=REPO_ROOT / ".train-demo-adapters",
                        help="cache folder (git-ignored)")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (results depend on it; default 2)")
    args = parser.parse_args()

    overlap = set(EVAL_PROMPTS) & set(INSTRUCTIONS)
    if overlap or len(set(INSTRUCTIONS)) != len(INSTRUCTIONS):
        sys.exit(f"instruction lists overlap or repeat: {sorted(overlap)}")
    if not (MODEL_DIR / MODEL_FILE).is_file():
        sys.exit(f"missing {MODEL_DIR / MODEL_FILE}: run scripts/fetch-demo-model")

    os.environ.setdefault("TQDM_DISABLE", "1")  # transformers' GGUF loader draws a progress bar
    # Known, harmless: a deprecation inside PEFT, and PEFT not finding the base's config.json on save (the base is a
    # local GGUF; the saved base_model_name_or_path is the hub id, looked up only to compare vocabulary sizes).
    warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*")
    warnings.filterwarnings("ignore", message="Could not find a config file in .*")
    import torch
    import peft
    import transformers

    torch.set_num_threads(args.threads)
    # No torch.use_deterministic_algorithms: on the CPU it slows generation ~40x (torch 2.15), and the CPU kernels
    # used here are already deterministic for a fixed thread count.
    versions = f"torch {torch.__version__}, transformers {transformers.__version__}, peft {peft.__version__}"
    log(f"train-demo-adapters: {versions}, {args.threads} threads")
    started = time.time()
    seed_everything(SEED)
    base, tokenizer = load_base()
    log(f"base loaded in {time.time() - started:.0f} s")

    ADAPTERS_DIR.mkdir(exist_ok=True)
    answers = None
    for task in TASKS:
        if args.only and task.name != args.only:
            continue
        out_dir = ADAPTERS_DIR / task.name
        if not args.force and (out_dir / "adapter_model.safetensors").is_file() \
                and (out_dir / "adapter_config.json").is_file():
            log(f"[{task.name}] exists, not retrained (use --force)")
            continue
        if answers is None:
            answers = base_answers(base, tokenizer, args.work_dir / "base_answers.json")
        examples = build_examples(tokenizer, answers, task)
        task_started = time.time()
        peft_model, final_loss = train(base, tokenizer, examples, task)
        train_seconds = time.time() - task_started
        stats = {"model_sha256": file_sha256(MODEL_DIR / MODEL_FILE), "examples": len(examples),
                 "threads": args.threads, "train_seconds": train_seconds, "final_loss": final_loss,
                 "versions": versions, "size_bytes": 0}
        save_adapter(peft_model, task, out_dir, stats)
        stats["size_bytes"] = (out_dir / "adapter_model.safetensors").stat().st_size
        (out_dir / "README.md").write_text(adapter_readme(task, stats))
        base = peft_model.unload()
        for param in base.parameters():
            param.requires_grad_(False)
        log(f"[{task.name}] saved {out_dir.relative_to(REPO_ROOT)} "
            f"({stats['size_bytes']:,} bytes, trained in {train_seconds:.0f} s)")

    ok = evaluate(base, tokenizer, args.threads)
    log(f"total {time.time() - started:.0f} s; evaluation {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

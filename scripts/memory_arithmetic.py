#!/usr/bin/env python3
"""Unified-pool arithmetic for docs/memory.md: page sizes, KV cost, adapter pages and waste.

Plain Python 3 (standard library only; run with Python 3.11); prints the Markdown tables pasted into docs/memory.md.
Mirrors Sources/MemoryPool (PageGeometry, AdapterStreamLayout, PoolBudget) and compares with
S-LoRA's scheme (one cell = one H-wide row per layer for K and again for V; see
shared/reference/slora-and-peers.md section 1.1).  Usage: python3 scripts/memory_arithmetic.py
"""

TOKENS_PER_PAGE = 16  # PageGeometry's default
ELEMENT_BYTES = 2  # bf16 on the GPU (the CPU backend uses f32: double every byte count)
RANKS = (8, 64)
MODULES = ("q", "k", "v", "o", "gate", "up", "down")
ATTENTION = ("q", "k", "v", "o")

# name: hidden H, layers L, heads, kv heads, head_dim, intermediate I (from each model's config.json)
MODELS = [
    ("Llama-2-7B", 4096, 32, 32, 32, 128, 11008),
    ("Llama-3-8B", 4096, 32, 32, 8, 128, 14336),
    ("Mistral-7B", 4096, 32, 32, 8, 128, 14336),
    ("SmolLM2-135M", 576, 30, 9, 3, 64, 1536),
]


def widths(model):
    _, h, _, heads, kv_heads, head_dim, inter = model
    q, kv = heads * head_dim, kv_heads * head_dim
    # (in, out) of each projection, as ProjectionWidths.inputWidth / outputWidth
    return {
        "q": (h, q), "k": (h, kv), "v": (h, kv), "o": (q, h),
        "gate": (h, inter), "up": (h, inter), "down": (inter, h),
    }


def kv_width(model):
    return model[4] * model[5]


def elements_per_page(model):
    return TOKENS_PER_PAGE * 2 * kv_width(model)


def ceil_div(a, b):
    return -(-a // b)


def adapter_elements(model, rank, modules):
    w = widths(model)
    return model[2] * sum(rank * (w[m][0] + w[m][1]) for m in modules)


def slora_adapter(model, rank, modules):
    """S-LoRA: 4r cells of 2*L*H elements (A row in K buffer, B row in V buffer); None if a row is wider than H."""
    h, layers = model[1], model[2]
    w = widths(model)
    if any(w[m][0] > h or w[m][1] > h for m in modules):
        return None
    cells = rank * len(modules)
    used = layers * sum(rank * (w[m][0] + w[m][1]) for m in modules)
    return cells, cells * 2 * layers * h, used


def kib(n):
    return f"{n / 1024:g} KiB"


def mib(n):
    return f"{n / 2**20:.2f} MiB"


def pct(x):
    return f"{100 * x:.2f} %"


def main():
    names = [m[0] for m in MODELS]
    head = "| | " + " | ".join(names) + " |\n|---|" + "---|" * len(names)

    print(f"### Page and KV cache (tokensPerPage = {TOKENS_PER_PAGE}, bf16)\n")
    print(head)
    rows = [
        ("kvWidth = kvHeads · headDim", lambda m: f"{kv_width(m)}"),
        ("elements per page (16 · 2 · kvWidth)", lambda m: f"{elements_per_page(m)}"),
        ("bytes per page", lambda m: kib(elements_per_page(m) * ELEMENT_BYTES)),
        ("KV bytes per token (2 · L · kvWidth · 2 B)", lambda m: kib(2 * m[2] * kv_width(m) * ELEMENT_BYTES)),
        ("pages per 16-token block (= L)", lambda m: f"{m[2]}"),
        ("pages per GiB", lambda m: f"{2**30 // (elements_per_page(m) * ELEMENT_BYTES)}"),
        ("KV tokens per GiB", lambda m: f"{(2**30 // (elements_per_page(m) * ELEMENT_BYTES)) // m[2] * TOKENS_PER_PAGE}"),
        ("max KV waste per sequence (15 tokens)",
         lambda m: mib((TOKENS_PER_PAGE - 1) * 2 * m[2] * kv_width(m) * ELEMENT_BYTES)),
        ("S-LoRA: cell per token (2 · L · H · 2 B)", lambda m: kib(2 * m[2] * m[1] * ELEMENT_BYTES)),
        ("S-LoRA: KV waste in an H-wide cell (1 − kvWidth/H)", lambda m: pct(1 - kv_width(m) / m[1])),
    ]
    for label, f in rows:
        print(f"| {label} | " + " | ".join(f(m) for m in MODELS) + " |")

    print("\n### Pages per rank-row, one layer: (in + out) / elementsPerPage\n")
    print("S-LoRA column: width use of its H-wide cell (A row in the K half, Bᵀ row in the V half);")
    print("'—' = a row wider than H, which S-LoRA cannot store.\n")
    print("| module | " + " | ".join(f"{n} | S-LoRA" for n in names) + " |")
    print("|---|" + "---|---|" * len(names))
    for mod in MODULES:
        cells = []
        for m in MODELS:
            i, o = widths(m)[mod]
            cells.append(f"{(i + o) / elements_per_page(m):.4f}")
            cells.append("—" if max(i, o) > m[1] else pct((i + o) / (2 * m[1])))
        print(f"| {mod} | " + " | ".join(cells) + " |")

    print("\n### Whole adapters: pages (ours) and tail waste; S-LoRA cells and waste\n")
    print("| model | adapter | stream elements | pages | bytes | tail waste | S-LoRA cells | S-LoRA bytes | S-LoRA waste |")
    print("|---|---|---|---|---|---|---|---|---|")
    for m in MODELS:
        for mods, label in ((ATTENTION, "q,k,v,o"), (MODULES, "all 7")):
            for r in RANKS:
                n = adapter_elements(m, r, mods)
                e = elements_per_page(m)
                pages = ceil_div(n, e)
                waste = (pages * e - n) / (pages * e)
                s = slora_adapter(m, r, mods)
                sl = ("—", "not storable", "—") if s is None else (
                    f"{s[0]}", mib(s[1] * ELEMENT_BYTES), pct(1 - s[2] / s[1]))
                print(f"| {m[0]} | r{r} {label} | {n} | {pages} | {mib(pages * e * ELEMENT_BYTES)} | "
                      f"{pct(waste)} | {sl[0]} | {sl[1]} | {sl[2]} |")


if __name__ == "__main__":
    main()

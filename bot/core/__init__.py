"""The core: knowledge, tokenizer, retrieval, figures, query analysis, the verdict and answering.

No Telegram and no I/O but reading files. Arrows point down: answering → verdict → query →
retrieval/figures → tokenizer → knowledge.
"""

"""``python -m benchmarks.bench`` (from a checkout): start-up, per-question latency, round trip, and scale.

Every figure is a median with its min and max over repeated runs, printed beside an anchor
measured in the same run, as a ratio (ours / anchor):

1. cold start: wall time from launching ``python -m bot ask`` to its first answer, beside
   the naive stack (a process that imports ``telegram.ext``, loads jieba, builds
   ``BM25Okapi`` over the article and answers); and from launching ``python -m bot`` to its
   first ``getUpdates`` at a local Bot API server, beside the same naive imports;
2. per question, in process: tokenise + retrieve + figures + render, beside jieba's cut and
   rank_bm25's ``get_scores`` for the same question;
3. round trip through the local Bot API server: message posted → reply received, beside an
   echo bot on the same server and PTB set-up; and the throughput of 1,000 questions from 100
   chats, beside Telegram's limit of 30 messages a second;
4. scale: synthetic knowledge of 1,000 / 10,000 / 100,000 passages made from the article's
   vocabulary: index build time, peak memory, load time of the saved index, query p50/p99,
   beside rank_bm25's ``get_scores`` on the same tokens, and the share of queries whose top-5
   ids and scores are identical to rank_bm25's (must be 100%).

Benchmarks are not tests: they report, they do not fail on a slow machine.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

from bot.config import load_settings
from bot.core.answering import MAX_QUESTION, Answerer

QUESTION = "桐庐要打赢哪六大攻坚战？"
NAIVE = """
import sys, time
import telegram.ext
import jieba, yaml
from rank_bm25 import BM25Okapi
jieba.setLogLevel(60)
jieba.initialize()
data = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
texts = [p["text"] for p in data["paragraphs"]]
index = BM25Okapi([jieba.lcut(t) for t in texts])
scores = index.get_scores(jieba.lcut(sys.argv[2]))
print(texts[max(range(len(texts)), key=scores.__getitem__)], flush=True)
"""
# Seconds between round-trip probes: 25 a second, under Telegram's 30.
PACE = 0.04
NAIVE_IMPORTS = "import telegram.ext, jieba, yaml, rank_bm25; jieba.setLogLevel(60); jieba.initialize()"


@dataclass
class Figure:
    """One measured figure, with the anchor it is compared to."""

    name: str
    unit: str
    median: float
    low: float
    high: float
    anchor: str = ""
    anchor_median: float | None = None
    p99: float | None = None

    @property
    def ratio(self) -> float | None:
        """Ours / anchor."""
        return self.median / self.anchor_median if self.anchor_median else None


def summary(
    name: str, unit: str, values: Sequence[float], anchor: str = "", anchor_values: Sequence[float] = ()
) -> Figure:
    """Median, min, max (and p99 of many values) of ``values``, beside the anchor's median."""
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if len(ordered) >= 20 else None
    return Figure(
        name,
        unit,
        statistics.median(ordered),
        ordered[0],
        ordered[-1],
        anchor,
        statistics.median(anchor_values) if anchor_values else None,
        p99,
    )


def _answerer() -> Answerer:
    """The bot's answerer, from the settings (the bench's own cache folder)."""
    settings = load_settings()
    return Answerer.from_directory(settings.knowledge_dir, settings.cache_dir)


def run_bench(*, as_json: bool, quick: bool) -> int:
    """Run every benchmark and print the figures (a table, or JSON)."""
    figures: list[Figure] = []
    scale: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="tonglu-bench-") as cache:
        os.environ["BOT_CACHE_DIR"] = cache  # a cache of the bench's own, warmed below
        figures += cold_start(runs=2 if quick else 5)
        figures += per_question(rounds=3 if quick else 30)
        figures += asyncio.run(startup_to_polling(runs=1 if quick else 3))
        figures += asyncio.run(round_trip(sequential=20 if quick else 200, burst=60 if quick else 1000))
        for size in (1_000,) if quick else (1_000, 10_000, 100_000):
            scale.append(scale_worker_run(size, queries=20 if quick else 200))
    if as_json:
        print(
            json.dumps(
                {"figures": [asdict(f) | {"ratio": f.ratio} for f in figures], "scale": scale},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(render_table(figures, scale))
    return 0


# --- 1. cold start ----------------------------------------------------------------------------


def first_line_after(command: Sequence[str], env: dict[str, str] | None = None) -> float:
    """Seconds from launching ``command`` to its first line of output."""
    started = time.perf_counter()
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True) as process:
        assert process.stdout is not None
        process.stdout.readline()
        elapsed = time.perf_counter() - started
        process.communicate()
    return elapsed


def cold_start(runs: int) -> list[Figure]:
    """``python -m bot ask`` against the naive stack, each in a fresh process."""
    article = next(load_settings().knowledge_dir.glob("*.yaml"))
    ours_cmd = [sys.executable, "-m", "bot", "ask", QUESTION]
    naive_cmd = [sys.executable, "-c", NAIVE, str(article), QUESTION]
    first = first_line_after(ours_cmd)  # builds and saves the prepared index
    ours, naive = [], []
    for _ in range(runs):
        ours.append(first_line_after(ours_cmd))
        naive.append(first_line_after(naive_cmd))
    return [
        summary("cold ask (prepared index)", "s", ours, "naive stack", naive),
        Figure(
            "cold ask, first start (builds the index)",
            "s",
            first,
            first,
            first,
            "naive stack",
            statistics.median(naive),
        ),
    ]


async def startup_to_polling(runs: int) -> list[Figure]:
    """From launching ``python -m bot`` to its first getUpdates, beside the naive imports."""
    from bot.sandbox.server import BotAPIServer

    ours = []
    for _ in range(runs):
        server = BotAPIServer()
        await server.start()
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": server.token,
            "TELEGRAM_API_BASE_URL": server.base_url,
            "LOG_LEVEL": "WARNING",
        }
        started = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
        )
        await server.wait_for(partial(_polled, server), timeout=60)
        ours.append(time.perf_counter() - started)
        process.send_signal(signal.SIGTERM)
        await process.wait()
        await server.stop()
    naive = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", NAIVE_IMPORTS], check=True)
        naive.append(time.perf_counter() - started)
    return [summary("start to polling", "s", ours, "naive imports + jieba", naive)]


def _polled(server: Any) -> bool:
    return "getUpdates" in server.requests


# --- 2. per question ---------------------------------------------------------------------------


def bench_questions() -> list[str]:
    """The public development questions if this checkout has them, else our own, else examples."""
    import yaml

    root = Path(__file__).resolve().parent.parent
    candidates = [
        Path(os.environ.get("BENCH_QUESTIONS", "")),
        Path("../shared/eval/dev.yaml"),
        root.parent / "shared" / "eval" / "dev.yaml",
    ]
    for path in candidates:
        if path.is_file():
            return [q["q"] for q in yaml.safe_load(path.read_text(encoding="utf-8"))]
    return [q["q"] for q in yaml.safe_load((root / "tests" / "data" / "questions.yaml").read_text(encoding="utf-8"))]


def per_question(rounds: int) -> list[Figure]:
    """Tokenise + retrieve + figures + render, in process, beside jieba + get_scores."""
    import jieba
    from rank_bm25 import BM25Okapi

    from bot.replies.messages import Replies

    answerer = _answerer()
    replies = Replies(answerer, "bench")
    questions = bench_questions()
    jieba.setLogLevel(60)
    naive_index = BM25Okapi([jieba.lcut(p.text) for p in answerer.passages])

    def ours(question: str) -> None:
        replies.answer(answerer.answer(question), group=False)

    def naive(question: str) -> None:
        naive_index.get_scores(jieba.lcut(question))

    for question in questions:  # warm both: shards and jieba's dictionary load once
        ours(question)
        naive(question)
    # The bound on one message's work: the longest question read (MAX_QUESTION characters of
    # the article's own text, the densest in its terms), and a 1,000-character message. Each
    # once: a text asked again finds its cut remembered.
    text = "".join(p.text for p in answerer.passages)
    step = max(1, (len(text) - 1000) // 20)
    longest = [text[i : i + MAX_QUESTION] for i in range(0, len(text) - 1000, step)]
    thousand = [text[i : i + 1000] for i in range(0, len(text) - 1000, step)]
    return [
        summary(
            "per question (ms)",
            "ms",
            timed(ours, questions, rounds),
            "jieba cut + get_scores",
            timed(naive, questions, rounds),
        ),
        summary(
            f"question of {MAX_QUESTION} characters, the longest read (ms)",
            "ms",
            timed(ours, longest, 1),
            "jieba cut + get_scores",
            timed(naive, longest, 1),
        ),
        summary(
            "message of 1,000 characters (ms)",
            "ms",
            timed(ours, thousand, 1),
            "jieba cut + get_scores",
            timed(naive, thousand, 1),
        ),
    ]


def timed(call: Callable[[str], None], questions: Sequence[str], rounds: int) -> list[float]:
    """Milliseconds per call, every question, ``rounds`` times."""
    samples = []
    for _ in range(rounds):
        for question in questions:
            started = time.perf_counter()
            call(question)
            samples.append((time.perf_counter() - started) * 1000)
    return samples


# --- 3. round trip -------------------------------------------------------------------------------


async def round_trip(sequential: int, burst: int) -> list[Figure]:
    """Message posted → reply received through the local server, and burst throughput."""
    from telegram import Update
    from telegram.ext import ApplicationBuilder, MessageHandler, filters

    from bot.config import Settings
    from bot.sandbox.running import polling
    from bot.sandbox.server import BotAPIServer
    from bot.tg.app import build_application

    answerer = _answerer()
    questions = bench_questions()

    async def latencies(server: BotAPIServer, count: int) -> list[float]:
        # Paced below Telegram's 30 messages a second, so that no flood wait is measured.
        samples = []
        for i in range(count):
            user = server.user(1000 + i % 100)
            chat = server.private_chat(user)
            started = time.perf_counter()
            message = await server.send(chat, user, questions[i % len(questions)])
            await server.reply_to(message, timeout=30)
            samples.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(max(0.0, PACE - (time.perf_counter() - started)))
        return samples

    server = BotAPIServer()
    await server.start()
    async with polling(build_application(Settings(token=server.token, base_url=server.base_url), answerer)):
        ours = await latencies(server, sequential)
        sent_before = len(server.of("sendMessage"))
        started = time.perf_counter()
        for i in range(burst):
            user = server.user(5000 + i % 100)
            await server.send(server.private_chat(user), user, questions[i % len(questions)])
        await server.wait_for(lambda: len(server.of("sendMessage")) >= sent_before + burst, timeout=600)
        drained = time.perf_counter() - started
    await server.stop()

    async def echo(update: Update, context: Any) -> None:
        if update.effective_message is not None:
            await update.effective_message.reply_text("ok")

    echo_server = BotAPIServer()
    await echo_server.start()
    echo_app = ApplicationBuilder().token(echo_server.token).base_url(echo_server.base_url).build()
    echo_app.add_handler(MessageHandler(filters.TEXT, echo))
    async with polling(echo_app):
        anchor = await latencies(echo_server, sequential)
    await echo_server.stop()
    throughput = burst / drained
    return [
        summary("round trip (ms)", "ms", ours, "echo bot", anchor),
        Figure(
            f"throughput, {burst} questions from 100 chats (drained in {drained:.1f} s)",
            "msg/s",
            throughput,
            throughput,
            throughput,
            "Telegram's 30 msg/s",
            30.0,
        ),
    ]


# --- 4. scale ------------------------------------------------------------------------------------


def scale_worker_run(size: int, queries: int) -> dict[str, Any]:
    """Run :func:`scale_worker` in a fresh process, so that its peak memory is its own."""
    done = subprocess.run(
        [sys.executable, "-c", f"from benchmarks.bench import scale_worker; scale_worker({size}, {queries})"],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def synthetic_corpus(size: int, seed: int = 7) -> tuple[list[list[str]], list[list[str]]]:
    """``size`` passages and 1,000 queries drawn from the article's tokens.

    Tokens are drawn as often as the article uses them.
    """
    from bot.core.prebuilt import index_text

    answerer = _answerer()
    vocabulary = [t for p in answerer.passages for t in answerer.tokenizer.tokens(index_text(p))]
    rng = random.Random(seed)
    corpus = [rng.choices(vocabulary, k=rng.randint(20, 90)) for _ in range(size)]
    queries = [rng.choices(vocabulary, k=rng.randint(2, 8)) for _ in range(1000)]
    return corpus, queries


def scale_worker(size: int, queries: int) -> None:
    """Measure one corpus size; print one JSON line."""
    import numpy as np
    from rank_bm25 import BM25Okapi

    from bot.core.retrieval import EPSILON, K1, B, BM25Index

    corpus, query_tokens = synthetic_corpus(size)
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    index = BM25Index.build(corpus)
    build = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "index.npz"
        index.save(path)
        loads = []
        for _ in range(3):
            started = time.perf_counter()
            BM25Index.load(path)
            loads.append(time.perf_counter() - started)
    ours = []
    for tokens in query_tokens[:queries]:
        started = time.perf_counter()
        index.search([(t, 1.0) for t in tokens], 5)
        ours.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    okapi = BM25Okapi(corpus, k1=K1, b=B, epsilon=EPSILON)
    okapi_build = time.perf_counter() - started
    checked = queries if size <= 10_000 else max(20, queries // 10)
    theirs, identical = [], 0
    for tokens in query_tokens[:checked]:
        started = time.perf_counter()
        scores = okapi.get_scores(tokens)
        top = np.lexsort((np.arange(len(scores)), -scores))[:5]
        theirs.append((time.perf_counter() - started) * 1000)
        hits = index.search([(t, 1.0) for t in tokens], 5)
        expected = [(int(i), float(scores[i])) for i in top]
        identical += [(h.index, h.score) for h in hits] == expected
    query = summary("query", "ms", ours, "rank_bm25 get_scores", theirs)
    print(
        json.dumps(
            {
                "passages": size,
                "build_s": round(build, 3),
                "rank_bm25_build_s": round(okapi_build, 3),
                "peak_memory_mb": round(peak / 1024, 1),
                "index_memory_mb": round((peak - base_rss) / 1024, 1),
                "load_s": round(statistics.median(loads), 4),
                "query_p50_ms": round(query.median, 3),
                "query_p99_ms": round(query.p99 or query.high, 3),
                "rank_bm25_p50_ms": round(query.anchor_median or 0.0, 3),
                "speedup": round((query.anchor_median or 0.0) / query.median, 1) if query.median else None,
                "identical_top5": f"{identical}/{checked}",
            }
        )
    )


# --- output --------------------------------------------------------------------------------------


def render_table(figures: Sequence[Figure], scale: Sequence[dict[str, Any]]) -> str:
    """The figures as an aligned text table."""
    width = max([len("figure"), *(len(f.name) for f in figures)])
    lines = [f"{'figure':{width}} {'median':>9} {'min':>9} {'max':>9} {'p99':>9}  anchor (median) → ratio"]
    for f in figures:
        p99 = f"{f.p99:9.3f}" if f.p99 is not None else " " * 9
        anchor = f"{f.anchor} ({f.anchor_median:.3f}) → {f.ratio:.2f}" if f.ratio is not None else ""
        lines.append(f"{f.name:{width}} {f.median:9.3f} {f.low:9.3f} {f.high:9.3f} {p99}  {anchor}")
    if scale:
        lines.append("")
        lines.append(
            f"{'passages':>9} {'build s':>8} {'bm25 build':>10} {'peak MB':>8} {'index MB':>8} {'load s':>7} "
            f"{'p50 ms':>7} {'p99 ms':>7} {'bm25 p50':>9} {'speed-up':>8}  identical top-5"
        )
        for s in scale:
            lines.append(
                f"{s['passages']:>9} {s['build_s']:>8} {s['rank_bm25_build_s']:>10} {s['peak_memory_mb']:>8} "
                f"{s['index_memory_mb']:>8} {s['load_s']:>7} {s['query_p50_ms']:>7} {s['query_p99_ms']:>7} "
                f"{s['rank_bm25_p50_ms']:>9} {s['speedup']:>8}  {s['identical_top5']}"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m benchmarks.bench [--json] [--quick]``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--quick", action="store_true", help="a seconds-long smoke run")
    args = parser.parse_args(argv)
    return run_bench(as_json=args.json, quick=args.quick)


if __name__ == "__main__":
    sys.exit(main())

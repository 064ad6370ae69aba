"""Reading the admin files: ruamel's round-trip loader (what `intents check` / `kb check` use) against the libyaml
path the bot takes at start and `/reload` when the build cache misses (`bot/yaml_fast.py`), on the shipped
intents, on intents grown to 10× the vocabulary, and on the knowledge entries' front matter.

    .venv/bin/python benchmarks/bench_yaml.py [--factor 10] [--repeat 5]

The grown set adds (factor-1)× as many keywords to every intent file, words of jieba's own dictionary that
no intent uses yet (so the set still loads without a problem). Medians of `--repeat` runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bot import PROJECT_ROOT
from bot.admin_files import yaml_files
from bot.kb.entries import load_entries_partial
from bot.nlu.intent_files import load_intents
from bot.nlu.normalize import Normalizer


def grown_intents(target: Path, factor: int, norm: Normalizer) -> int:
    """Copy the shipped intents into `target` with (factor-1)× more keywords each; the number of keywords added."""
    import jieba

    shipped = load_intents(PROJECT_ROOT / "intents", norm)
    used = {t.text for i in shipped.intents for t, _, _ in i.all_terms()}
    dict_file = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    with open(dict_file, encoding="utf-8") as words:
        candidates = (line.split(" ", 1)[0] for line in words)
        pool = (w for w in dict.fromkeys(norm.simplify(w) for w in candidates)  # Simplified, each once
                if 2 <= len(w) <= 4 and all("\u4e00" <= ch <= "\u9fff" for ch in w) and w not in used)
        shutil.copytree(PROJECT_ROOT / "intents", target, ignore=shutil.ignore_patterns("labels", "fitted"))
        added = 0
        for file in yaml_files(target):
            intent = next(i for i in shipped.intents if Path(i.path).name == file.name)
            count = (factor - 1) * max(1, len(intent.keywords) + len(intent.phrases))
            extra = "".join(f"  - {next(pool)}: 1\n" for _ in range(count))
            text = file.read_text(encoding="utf-8")
            if "\nkeywords:\n" in text:
                text = text.replace("\nkeywords:\n", "\nkeywords:\n" + extra, 1)
            else:
                text += "keywords:\n" + extra
            file.write_text(text, encoding="utf-8")
            added += count
    return added


def timed(fn: Callable[[], object], repeat: int) -> float:
    took = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        took.append(time.perf_counter() - started)
    return statistics.median(took)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--factor", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    norm = Normalizer()
    norm.simplify("预热")  # OpenCC loaded before timing
    with tempfile.TemporaryDirectory() as tmp:
        grown = Path(tmp) / "intents"
        added = grown_intents(grown, args.factor, norm)
        sets = [("shipped intents", PROJECT_ROOT / "intents"), (f"intents ×{args.factor} (+{added} keywords)", grown)]
        for name, folder in sets:
            fast_set = load_intents(folder, norm, fast=True)
            assert fast_set == load_intents(folder, norm), "the two paths must read the same set"
            slow = timed(lambda folder=folder: load_intents(folder, norm), args.repeat)
            fast = timed(lambda folder=folder: load_intents(folder, norm, fast=True), args.repeat)
            terms = sum(len(i.keywords) + len(i.phrases) for i in fast_set.intents)
            print(f"{name:<40} {terms:6d} terms: ruamel {slow * 1e3:7.0f} ms  libyaml {fast * 1e3:6.0f} ms  "
                  f"({slow / fast:.1f}× faster)")
        knowledge = PROJECT_ROOT / "knowledge"
        assert load_entries_partial(knowledge, fast=True) == load_entries_partial(knowledge)
        slow = timed(lambda: load_entries_partial(knowledge), args.repeat)
        fast = timed(lambda: load_entries_partial(knowledge, fast=True), args.repeat)
        print(f"{'knowledge entries (shipped)':<40} {len(load_entries_partial(knowledge)[0]):6d} files: ruamel "
              f"{slow * 1e3:7.0f} ms  libyaml {fast * 1e3:6.0f} ms  ({slow / fast:.1f}× faster)")


if __name__ == "__main__":
    main()

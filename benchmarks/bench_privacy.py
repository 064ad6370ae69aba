"""Cost of masking residents' words (`bot.cases.privacy.mask`), which runs on every queue push, /tasks card,
supporter notice and exported row: texts of a report's length, with and without personal details.

Run: .venv/bin/python benchmarks/bench_privacy.py [--texts 20000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.cases.privacy import mask

PARTS = ["梨园小区3栋楼下烧烤油烟很大", "楼上1502天天半夜剁东西", "电话13812345678", "浙A12345一直堵在消防通道",
         "我住3单元502", "身份证330102199001011234", "物业电话0571-88886666", "晚上十一点以后还在吵",
         "已经打过12345了", "隔壁602家的狗", "垃圾三天没人收了", "车停在路边200米外"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--texts", type=int, default=20_000)
    args = parser.parse_args()
    rng = random.Random(7)
    texts = ["，".join(rng.choices(PARTS, k=rng.randint(1, 6))) for _ in range(args.texts)]
    long = "，".join(rng.choices(PARTS, k=400))  # ~5,000 characters: the longest a report can be
    for label, batch in (("report-length texts", texts), ("5,000-character texts", [long] * 200)):
        times = []
        for text in batch:
            start = time.perf_counter()
            mask(text)
            times.append((time.perf_counter() - start) * 1e6)
        times.sort()
        print(f"{label}: {len(batch)} texts, mean {statistics.fmean(times):.1f} µs, "
              f"p50 {times[len(times) // 2]:.1f} µs, p99 {times[int(len(times) * 0.99)]:.1f} µs, "
              f"mean length {statistics.fmean(len(t) for t in batch):.0f} chars")


if __name__ == "__main__":
    main()

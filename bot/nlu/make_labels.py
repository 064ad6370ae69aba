"""Writes the committed label files under `intents/labels/` (ids and labels only, never text).

Run from the project root (the fixed shape has no scripts/ folder): `python -m bot.nlu.make_labels workorders` or
`python -m bot.nlu.make_labels readers NAME FILE_A FILE_B` (two readers' labels of the same letters).
Reproducible: the held-out part is chosen by a hash of the id (`bot.nlu.labels.held_out_by_hash`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bot.nlu.labels import LABELS_DIR, SHARED_DATA, held_out_by_hash


def _write(path: Path, header: dict[str, object], rows: list[dict[str, object]]) -> None:
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        out.write(json.dumps(header, ensure_ascii=False) + "\n")
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    tmp.replace(path)
    held = sum(1 for r in rows if r["split"] == "held")
    print(f"{path}: {len(rows)} items, {held} held out")


def workorders() -> None:
    rows = []
    with (SHARED_DATA / "hotline_workorders.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            if item.get("operator_cat") and (item.get("text_clean") or "").strip():
                split = "held" if held_out_by_hash(item["id"]) else "fit"
                rows.append({"id": item["id"], "cat": item["operator_cat"], "split": split})
    header = {
        "labeller": "operator mapping: the 12345 operators' own category mapped onto the taxonomy where it names "
                    "exactly one (operator_cat; about 92% agree with careful readers)",
        "source": "hotline_workorders.jsonl", "text_field": "text_clean",
        "held_out": "ids whose sha1 is 0 mod 3 (split: held); never fitted on",
    }
    _write(LABELS_DIR / "workorders_operator.jsonl", header, rows)


def readers(name: str, file_a: str, file_b: str) -> None:
    a = {r["id"]: r for r in map(json.loads, Path(file_a).read_text(encoding="utf-8").splitlines()) if r}
    b = {r["id"]: r for r in map(json.loads, Path(file_b).read_text(encoding="utf-8").splitlines()) if r}
    fit_ids = set((SHARED_DATA / "fit_ids.txt").read_text(encoding="utf-8").split())
    dev_ids = {json.loads(line)["id"] for line in (SHARED_DATA / "dev_labeled.jsonl").read_text(encoding="utf-8").splitlines()}
    both = [i for i in a if i in b]
    agree = [i for i in both if a[i]["cat"] == b[i]["cat"]]
    rows = []
    for item_id in agree:
        if item_id not in fit_ids or item_id in dev_ids:
            continue  # only fit_ids may be labelled and fitted on; dev stays its own held-out set
        split = "held" if held_out_by_hash(item_id) else "fit"
        row: dict[str, object] = {"id": item_id, "cat": a[item_id]["cat"], "split": split}
        if a[item_id].get("act") == b[item_id].get("act"):
            row["act"] = a[item_id]["act"]
        row["sure"] = bool(a[item_id].get("sure")) and bool(b[item_id].get("sure"))
        rows.append(row)
    header = {
        "labeller": f"two readers labelling blind by ../shared/labelling.md ({Path(file_a).stem}, {Path(file_b).stem}); "
                    f"kept where both chose the same cat: {len(agree)}/{len(both)} = {len(agree) / len(both):.1%}",
        "source": "resident_messages.jsonl", "text_field": "text",
        "held_out": "ids whose sha1 is 0 mod 3 (split: held); never fitted on",
    }
    _write(LABELS_DIR / f"{name}.jsonl", header, rows)


if __name__ == "__main__":
    if sys.argv[1:2] == ["workorders"]:
        workorders()
    elif sys.argv[1:2] == ["readers"] and len(sys.argv) == 5:
        readers(*sys.argv[2:5])
    else:
        sys.exit(__doc__)

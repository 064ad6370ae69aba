"""The build cache: unchanged files are served from disk without a build; a changed file, a corrupt or
truncated cache file, or a cache directory that cannot be used all end in a fresh build that is served."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bot import PROJECT_ROOT
from bot.dialog.understanding import Understanding
from bot.kb.base import KnowledgeBase
from bot.nlu import loading
from bot.nlu.cache import BuildCache
from bot.nlu.loading import load_classifier
from bot.nlu.normalize import Normalizer

NORM = Normalizer(2000)
KB_QUESTION = "晚上几点以后不能装修"


@pytest.fixture()
def files(tmp_path: Path) -> tuple[Path, Path]:
    """Copies of the shipped intents and knowledge folders (the tests edit them)."""
    intents, knowledge = tmp_path / "intents", tmp_path / "knowledge"
    shutil.copytree(PROJECT_ROOT / "intents", intents, ignore=shutil.ignore_patterns("labels", "fitted"))
    shutil.copytree(PROJECT_ROOT / "knowledge", knowledge)
    return intents, knowledge


def cache_files(directory: Path, kind: str) -> list[Path]:
    return sorted(directory.glob(f"{kind}-*.cache"))


def no_build(*_: object, **__: object) -> None:
    raise AssertionError("built although the files did not change")


def test_unchanged_intents_come_from_the_cache_without_a_build(files: tuple[Path, Path], tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    cache = BuildCache(tmp_path / "cache")
    _, built = load_classifier(files[0], NORM, cache=cache)
    assert len(cache_files(tmp_path / "cache", "intents")) == 1
    monkeypatch.setattr(loading, "load_intents", no_build)
    _, cached = load_classifier(files[0], NORM, cache=BuildCache(tmp_path / "cache"))
    for text in ["楼上装修噪音太大了", "小区门口乱停车", "请问物业费怎么交", "着火了快来人"]:
        assert cached.classify(text).to_json() == built.classify(text).to_json()
    # the one-character terms rely on the segmenter rebuilt from the cached words
    assert cached.lexicon.tokenizer.added == built.lexicon.tokenizer.added


def test_a_changed_intent_file_is_rebuilt(files: tuple[Path, Path], tmp_path: Path) -> None:
    cache = BuildCache(tmp_path / "cache")
    _, before = load_classifier(files[0], NORM, cache=cache)
    assert before.classify("黄鼠狼偷鸡").intent != "noise"
    noise = files[0] / "noise.yaml"
    noise.write_text(noise.read_text(encoding="utf-8").replace("keywords:\n", "keywords:\n  - 黄鼠狼: 3\n", 1),
                     encoding="utf-8")
    _, after = load_classifier(files[0], NORM, cache=cache)
    assert after.classify("黄鼠狼偷鸡").intent == "noise"
    assert len(cache_files(tmp_path / "cache", "intents")) == 1  # the older build is dropped


@pytest.mark.parametrize("damage", ["truncated", "garbage", "bad pickle", "empty"])
def test_a_corrupt_cache_file_is_rebuilt_and_served(files: tuple[Path, Path], tmp_path: Path, damage: str,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    cache = BuildCache(tmp_path / "cache")
    kb = KnowledgeBase.load(files[1], NORM, cache=cache)
    expected = kb.answer(KB_QUESTION).doc_id
    assert expected is not None
    (path,) = cache_files(tmp_path / "cache", "knowledge")
    raw = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(raw[: len(raw) // 2])
    elif damage == "garbage":
        path.write_bytes(os.urandom(len(raw)))
    elif damage == "empty":
        path.write_bytes(b"")
    else:  # a consistent header and digest around bytes that are not a pickle of a knowledge base
        import hashlib

        payload = b"\x80\x05not a pickle at all"
        header = raw[: raw.index(b"\n") + 1]
        path.write_bytes(header + hashlib.sha256(payload).digest() + payload)
    again = KnowledgeBase.load(files[1], NORM, cache=BuildCache(tmp_path / "cache"))
    assert again.answer(KB_QUESTION).doc_id == expected
    assert "corrupt" in caplog.text
    (rewritten,) = cache_files(tmp_path / "cache", "knowledge")
    assert rewritten.read_bytes() != b"" and KnowledgeBase.load(files[1], NORM, cache=BuildCache(tmp_path / "cache"))


def test_a_changed_entry_is_rebuilt_and_reload_takes_it(files: tuple[Path, Path], tmp_path: Path) -> None:
    understanding = Understanding.load(files[0], files[1], NORM, BuildCache(tmp_path / "cache"))
    assert understanding.kb is not None and understanding.kb.answer("猫头鹰晚上叫得厉害怎么办").doc_id is None
    (files[1] / "owl_noise.md").write_text(
        "---\nid: owl_noise\ntitle: 猫头鹰夜里叫\nquestions:\n  - 猫头鹰晚上叫得厉害怎么办\nintents: [noise]\n"
        "tags: [猫头鹰]\nsource: 《测试条例》第1条\nchecked: 2026-01-01\n---\n猫头鹰是保护动物，请联系林业部门。\n"
        "依据:《测试条例》第1条\n", encoding="utf-8")
    result = understanding.reload()
    assert result.ok, result.problems
    assert understanding.kb.answer("猫头鹰晚上叫得厉害怎么办").doc_id == "owl_noise"


def test_a_cache_directory_others_can_write_is_not_used(files: tuple[Path, Path], tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    _, clf = load_classifier(files[0], NORM, cache=BuildCache(shared))
    assert clf.classify("楼上装修噪音太大了").intent == "noise"
    assert list(shared.iterdir()) == []


def test_a_cache_path_that_cannot_be_a_directory_still_builds(files: tuple[Path, Path], tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    kb = KnowledgeBase.load(files[1], NORM, cache=BuildCache(blocker / "cache"))
    assert kb.answer(KB_QUESTION).doc_id is not None


def test_a_fifo_among_the_files_is_not_read_for_the_key(files: tuple[Path, Path], tmp_path: Path) -> None:
    """Fingerprinting must not block where the loader would refuse the file: no key, the loader reports."""
    os.mkfifo(files[0] / "stuck.yaml")
    assert BuildCache(tmp_path / "cache").key("intents", sorted(files[0].glob("*.yaml")), 1_000_000) is None


def test_a_cached_build_reads_back_equal_to_the_build(tmp_path: Path) -> None:
    """Terms, examples, questions and entries are pickled by their fields (fast); what comes back is equal."""
    import pickle

    intents, classifier = load_classifier(PROJECT_ROOT / "intents", NORM)
    kb = KnowledgeBase.load(PROJECT_ROOT / "knowledge", NORM)
    again = pickle.loads(pickle.dumps(intents, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == intents and again.intents[0].keywords[0] == intents.intents[0].keywords[0]
    entries = pickle.loads(pickle.dumps(kb.entries, protocol=pickle.HIGHEST_PROTOCOL))
    assert entries == kb.entries and entries[0].questions == kb.entries[0].questions
    lexicon = pickle.loads(pickle.dumps(classifier.lexicon, protocol=pickle.HIGHEST_PROTOCOL))
    assert lexicon.fuzzy == classifier.lexicon.fuzzy


def test_the_start_up_knowledge_check_is_remembered_and_a_changed_entry_read_again(
        files: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`griddesk run` refuses a broken entry before it starts; with the entries unchanged it does not parse them
    again for that (the check's pass is kept under their content), and any changed byte is checked afresh."""
    from bot import preflight
    from bot.errors import KnowledgeFileError
    from bot.kb import entries as kb_entries
    from bot.settings import load_settings

    intents, knowledge = files
    settings = load_settings(intents_dir=intents, knowledge_dir=knowledge, cache_dir=tmp_path / "cache", _env_file=None)
    reads: list[Path] = []
    real = kb_entries.load_entries

    def counted(directory: Path, **kwargs: object) -> list[kb_entries.Entry]:
        reads.append(Path(directory))
        return real(directory, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(kb_entries, "load_entries", counted)
    preflight.check_knowledge(settings)
    preflight.check_knowledge(settings)
    assert reads == [knowledge]  # the second start took the remembered pass
    entry = kb_entries.entry_files(knowledge)[0]
    entry.write_text(entry.read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8")
    with pytest.raises(KnowledgeFileError) as info:
        preflight.check_knowledge(settings)
    assert len(reads) == 2 and any(p.path.endswith(entry.name) and p.line > 0 for p in info.value.problems)
    with pytest.raises(KnowledgeFileError):  # a failed check is never remembered
        preflight.check_knowledge(settings)
    assert len(reads) == 3

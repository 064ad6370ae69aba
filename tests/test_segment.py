"""The shared jieba dictionary: a `Segmenter` cuts exactly as a private `jieba.Tokenizer` given the same words,
while the classifier and the knowledge base hold one base dictionary between them."""

from __future__ import annotations

import marshal
import tempfile

import jieba
import pytest
from dialog_helpers import shared_understanding

from bot.dialog.understanding import Understanding
from bot.nlu import segment
from bot.nlu.cache import BuildCache
from bot.nlu.segment import Dictionary, Segmenter, shared_dictionary

TEXTS = [
    "楼上邻居天天半夜装修电钻声吵得人睡不着", "小区门口的共享单车乱停乱放堵住了消防通道", "请问物业费一年多少钱怎么交",
    "我家楼下烧烤店油烟很大窗户都不敢开", "广场午太吵了", "电动车在楼道里充电很危险", "abc 123 测试 emoji🙂",
    "高空抛物砸坏了我的车牌号码看不清楚", "",
]
WORDS = [("广场午", 3000), ("楼道充电", None), ("车牌号", 2000), ("半夜装修", None), ("乱停乱放", 5)]


@pytest.fixture(scope="module")
def automaton_cache(tmp_path_factory: pytest.TempPathFactory) -> BuildCache:
    """A build cache holding the dictionary's automaton (built once for this module)."""
    cache = BuildCache(tmp_path_factory.mktemp("words-cache"))
    Dictionary().load(cache)
    return cache


@pytest.fixture(scope="module", params=["dict", "automaton"])
def pair(request: pytest.FixtureRequest) -> tuple[jieba.Tokenizer, Segmenter]:
    """A private jieba tokenizer and a `Segmenter` over the dictionary as the CLI (jieba's dict) or the bot
    (the automaton in the build cache) loads it, given the same words."""
    private = jieba.Tokenizer()
    private.initialize()
    dictionary = Dictionary()
    if request.param == "automaton":
        dictionary.load(request.getfixturevalue("automaton_cache"))
    segmenter = Segmenter(dictionary)
    for word, freq in WORDS:
        private.add_word(word, freq)
        segmenter.add_word(word, freq)
    return private, segmenter


def test_segmenter_cuts_like_a_private_tokenizer(pair: tuple[jieba.Tokenizer, Segmenter]) -> None:
    private, segmenter = pair
    for text in TEXTS:
        assert list(segmenter.cut(text, HMM=False)) == list(private.cut(text, HMM=False))
        assert list(segmenter.cut(text)) == list(private.cut(text))
        assert list(segmenter.cut_for_search(text)) == list(private.cut_for_search(text))
    assert segmenter.total == private.total
    assert [segmenter.suggest_freq(w) for w, _ in WORDS] == [private.suggest_freq(w) for w, _ in WORDS]


def test_replaying_the_added_words_gives_the_same_segmenter(pair: tuple[jieba.Tokenizer, Segmenter]) -> None:
    _, segmenter = pair
    again = Segmenter(Dictionary(), segmenter.added)
    assert again.added == segmenter.added and again.total == segmenter.total
    for text in TEXTS:
        assert list(again.cut_for_search(text)) == list(segmenter.cut_for_search(text))


def test_words_of_one_segmenter_do_not_reach_another() -> None:
    dictionary = Dictionary()
    one, other = Segmenter(dictionary), Segmenter(dictionary)
    one.add_word("梨园小区七栋", 50_000)
    assert "梨园小区七栋" in list(one.cut("我住梨园小区七栋"))
    assert "梨园小区七栋" not in list(other.cut("我住梨园小区七栋"))
    assert one._base is other._base and "梨园小区七栋" not in one._base


def test_classifier_and_knowledge_base_share_one_dictionary() -> None:
    understanding: Understanding = shared_understanding()
    assert understanding.kb is not None
    classifier_words = understanding.classifier.lexicon.tokenizer
    kb_words = understanding.kb.index.analyzer._tok
    assert classifier_words._base is kb_words._base is shared_dictionary().load()[0]


def test_dictionary_read_from_jiebas_cache_is_jiebas_own(tmp_path, monkeypatch) -> None:
    """The base dictionary is read from jieba's cache file whole (fast); what it holds is what jieba loads."""
    jieba_own = jieba.Tokenizer()
    jieba_own.initialize()  # writes the cache when it is missing
    assert segment._read_jieba_cache() == (jieba_own.FREQ, jieba_own.total)
    words, total = Dictionary().load()
    assert total == jieba_own.total and all(words[w] == f for w, f in list(jieba_own.FREQ.items())[::97])


BROKEN_CACHES = [b"", b"not marshal data", marshal.dumps([1, 2]), marshal.dumps(({}, 5)), marshal.dumps(({"词": 1}, "5"))]


@pytest.mark.parametrize("content", BROKEN_CACHES)
def test_a_broken_jieba_cache_falls_back_to_jiebas_own_loading(tmp_path, monkeypatch, content: bytes) -> None:
    (tmp_path / "jieba.cache").write_bytes(content)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert segment._read_jieba_cache() is None
    jieba_own = jieba.Tokenizer()  # as jieba loads it, from its dictionary file when the cache is broken
    assert segment._freq_dict() == jieba_own.gen_pfdict(jieba_own.get_dict_file())


def test_the_automaton_knows_every_word_and_prefix_as_jieba_does(automaton_cache: BuildCache) -> None:
    jieba_own = jieba.Tokenizer()
    jieba_own.initialize()
    words, total = Dictionary().load(automaton_cache)
    assert total == jieba_own.total
    sample = list(jieba_own.FREQ.items())[::97]
    assert all(words[w] == f and w in words for w, f in sample)
    assert words["不是一个词的串"] is None and "不是一个词的串" not in words and words.get("不是一个词的串", 5) == 5
    assert automaton_cache.directory is not None and list(automaton_cache.directory.glob("words-*.cache"))


def test_remembered_lookups_stay_bounded_and_right(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(segment, "MEMO_LIMIT", 50)
    freq = {"装修": 30, "装": 10, "楼": 5}
    words = segment.Words(freq.get)
    for i in range(500):
        assert words[f"词{i}"] is None
        assert len(words) <= 50
    assert words["装修"] == 30 and words["楼"] == 5 and "装修" in words and "词1" not in words

"""Keyword + fuzzy classifier: what the problem is (intent, subtype) and what the resident wants (act).

One pass over the normalised text finds every exact term (Aho-Corasick), jieba's segmentation
(a private tokenizer that knows every term) rejects matches that straddle word boundaries
("停电动车" is not a power cut) and one-character terms that are not a whole word, and a bigram-filtered rapidfuzz pass
catches typos in longer phrases. Scores reward distinct terms and where they stand: the opening
sentence states the topic and a request says what to handle, so the primary problem of a long
multi-problem letter wins; vetoes and negation ("不是噪音的问题") remove matches.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import accumulate, chain
from typing import Literal

from rapidfuzz import fuzz

from bot.nlu import danger
from bot.nlu.fitted import ZONES, Fitted, Numbers
from bot.nlu.intent_files import IntentSet
from bot.nlu.lexicon import Lexicon, TermRef, bigrams
from bot.nlu.normalize import NormalizedText, Normalizer, Script, default_normalizer
from bot.nlu.sentence_zones import ASKS_ACTION, BODY, HAND_POSITIONS, OPENING, rank_at, zones
from bot.nlu.term_matches import HANDLING_TERM, Mention, as_place, explained, longest, negated

Act = Literal["report", "ask", "emergency", "status", "chat"]

#: Not \b: Chinese characters are word characters, so "20261122-0001怎么样了" has no boundary after the number.
CASE_NUMBER = re.compile(r"(?<!\d)20\d{6}-\d{4}(?!\d)")

#: A topic needs at least this score (one ordinary keyword) to be named at all. This and the other
#: numbers of the decision are the hand-set defaults; `griddesk intents fit` replaces them (`Numbers`).
MIN_TOPIC_SCORE = 1.0
#: In letters at least this long, a category named by one term alone needs this score.
LONG_TEXT = 300
LONG_SINGLE_MIN = 1.25
#: A letter longer than this that names a category describes a problem: a status word in it
#: ("…为什么一直没有一个处理结果") is part of the complaint, not a question about a filed case.
STATUS_MAX_CHARS = 60
#: Without a category a status question still fits in a short paragraph; a letter longer than this tells a
#: story (a developer, wages, an exam) whose 进度/工单/处理结果 is part of the complaint, not a case filed here.
STATUS_OTHER_MAX_CHARS = 200
#: A category never named in the opening or a request, by fewer distinct terms than this, needs PASSING_MIN.
PASSING_DISTINCT = 2
PASSING_MIN = 2.0
#: Repeats of the same term add this much each, up to three repeats.
REPEAT_BONUS = 0.3
#: `other` (the outside intent) counts only this many of its strongest terms (3 until 2026-12-01: 4 keeps
#: more letters about schools, developers or hospitals out of the categories, held-out letters included).
OUTSIDE_TOP_TERMS = 4
#: A category stated this strongly in the opening sentence (about two strong terms: "隧道噪音太大了,
#: 无法正常休息") is the topic, however much of the setting (隧道, 天桥, 纳税) the rest of the letter
#: adds to `other`, unless `other` is stated as strongly in the opening too.
OPENING_TOPIC_MIN = 4.0
#: An `other` term that only says where ("红绿灯处", "公交站旁边", "靠近隧道") counts this much of its weight: a
#: landmark names where a community problem is, not what it is.
PLACE_FACTOR = 0.25
#: The `other` subtype of settings (学校, 医院, 单位): in a message that names a category's problem they count
#: PLACE_FACTOR wherever they stand — "学校门口的路面坑洼", a work order quoting a reply that lists the schools
#: and hospitals along a road under repair — because they say where or whose the problem is, not what it is.
SETTING = "setting"
#: …named by a term at least this strong (坑洼, 噪音, 油烟): a weak word (保安) does not make the hospital's own
#: guard a community case.
SETTING_PROBLEM_WEIGHT = 2.0
#: The class the fit gives to everything outside the categories.
OTHER_LABEL = "other"
FUZZY_CUTOFF = 80.0
#: A near-miss of a whole phrase (typo, homophone) is about as telling as one keyword up front.
FUZZY_FACTOR = 1.2
MAX_FUZZY_CANDIDATES = 8
#: Confidence: saturation of the top score and its share against the runners-up.
CONF_SCALE = 1.6
CONF_PRIOR = 0.6
CONF_GAIN = 1.4


@dataclass(frozen=True, slots=True)
class Counted:
    """A reference that counts (`Classifier._counted`): its zone rank, strength, place factor, and whether it is a
    who-failed term."""

    ref: TermRef
    rank: int
    strength: float
    place: float
    handling: bool


@dataclass(frozen=True, slots=True)
class Alternative:
    intent: str
    confidence: float


@dataclass(frozen=True)
class Classification:
    """The classifier's answer; `to_json()` is the `griddesk classify` contract."""

    text: str
    intent: str | None
    subtype: str | None
    act: Act
    confidence: float
    matched: list[str]
    alternatives: list[Alternative]
    script: Script = "simplified"
    truncated: bool = False
    empty: bool = False
    #: The message is shaped as a question but asks the desk to act on a category (`ASKS_ACTION`): `act` is
    #: "report", and the dialog does not answer it from the knowledge base either.
    asks_action: bool = False
    scores: dict[str, float] = field(default_factory=dict, repr=False)

    def to_json(self) -> dict[str, object]:
        return {
            "text": self.text,
            "intent": self.intent,
            "subtype": self.subtype,
            "act": self.act,
            "confidence": round(self.confidence, 3),
            "matched": self.matched,
            "alternatives": [{"intent": a.intent, "confidence": round(a.confidence, 3)} for a in self.alternatives],
        }


class Classifier:
    """Classifies one message at a time; immutable after construction, safe to share."""

    def __init__(self, lexicon: Lexicon, normalizer: Normalizer, fitted: Fitted | None = None):
        self.lexicon = lexicon
        self.intents = lexicon.intents
        self.normalizer = normalizer
        self.kinds: dict[str, str] = {i.id: i.kind for i in self.intents.intents}
        #: Fitted numbers (`griddesk intents fit`), or None: the hand-set YAML weights and constants.
        self.fitted = fitted
        self.numbers: Numbers = fitted.numbers if fitted is not None else Numbers()
        self.positions: tuple[float, ...] = tuple(self.numbers.positions[z] for z in ZONES)
        #: (intent, term) of category terms that say who failed to handle it (`HANDLING_TERM`).
        self.handling: frozenset[tuple[str, str]] = frozenset(
            (i.id, t.text) for i in self.intents.categories for t, _, _ in i.all_terms() if HANDLING_TERM.match(t.text))
        self._handling_texts = frozenset(term for _, term in self.handling)
        #: Texts of `other` terms: only their mentions are asked whether they stand as a place.
        self._outside_texts = frozenset(
            t.text for i in self.intents.intents if i.kind == "outside" for t, _, _ in i.all_terms())

    @classmethod
    def from_intents(cls, intents: IntentSet, normalizer: Normalizer | None = None,
                     fitted: Fitted | None = None) -> Classifier:
        lexicon = Lexicon(intents, fitted.weight if fitted is not None else None)
        return cls(lexicon, normalizer or default_normalizer(), fitted)

    # -- public -----------------------------------------------------------------------------------

    def classify(self, raw: str | bytes | None) -> Classification:
        norm = self.normalizer.normalize(raw)
        if norm.empty:
            # No words, but a cry of alarm emoji ("🆘", "🔥🔥🔥", "🚑") is an emergency all the same.
            act: Act = "emergency" if danger.decide("", 0.0, MIN_TOPIC_SCORE, norm.original) else "chat"
            return Classification(norm.original, None, None, act, 0.0, [], [], norm.script, norm.truncated, True)
        hits, vetoed = self._find(norm.text)
        return self._decide(norm, hits, vetoed)

    def evidence(self, text: str) -> list[tuple[TermRef, int, float]]:
        """(term, zone rank, strength before weight and position) of every counted topic/act mention.

        What `intents fit` learns from: `_counted`, the matching and counting rules the classifier decides on,
        so the fitted numbers mean the same thing at run time. `text` is normalised here.
        """
        norm = self.normalizer.normalize(text)
        if norm.empty:
            return []
        mentions, vetoed = self._find(norm.text)
        return [(c.ref, c.rank, c.strength * c.place if c.place != 1.0 else c.strength)
                for c in self._counted(norm.text, mentions, vetoed, None)[0]]

    def _counted(self, text: str, mentions: list[Mention], vetoed: set[str],
                 positions: tuple[float, ...] | None) -> tuple[list[Counted], set[str]]:
        """The one place that decides which references count, and how strongly; `_decide` and `evidence` read it.

        Vetoed intents do not count; an `other` term standing only as a place, or a setting (`SETTING`) in a message
        that names a category, counts `PLACE_FACTOR` of it (`place`);
        a who-failed term counts only when its category is named by another term or no category is (`handling`).
        `strength` is fuzzy × repeats × the zone's position weight (`positions` for topics, the hand-set ones for
        acts; None: 1, as the fit wants it). In mention order; also the intents named in the opening or a request.
        """
        kinds, handling, handling_texts = self.kinds, self.handling, self._handling_texts
        starts, ranks = zones(text)
        problems: list[set[int]] = []
        out: list[Counted] = []
        named: set[str] = set()
        prominent: set[str] = set()
        for mention in mentions:
            rank = min(rank_at(start, starts, ranks) for start in mention.starts)
            if rank < BODY:
                prominent.update(ref.intent for ref in mention.refs)
            if positions is None:
                boost = 1.0
            else:  # acts keep the hand-set positions: the fit learns topics, and act rules read YAML-scale scores
                boost = positions[rank] if mention.refs[0].dimension == "topic" else HAND_POSITIONS[rank]
            strength = mention.fuzzy * boost * (1 + REPEAT_BONUS * min(len(mention.starts) - 1, 3))
            place = self._place_factor(text, mention, mentions, starts, vetoed, problems)
            for ref in mention.refs:
                if ref.intent in vetoed:
                    continue
                is_handling = ref.term in handling_texts and (ref.intent, ref.term) in handling
                if not is_handling and kinds.get(ref.intent) == "category":
                    named.add(ref.intent)
                out.append(Counted(ref, rank, strength, place if kinds.get(ref.intent) == "outside" else 1.0,
                                   is_handling))
        if any(c.ref.weight >= SETTING_PROBLEM_WEIGHT and not c.handling and kinds.get(c.ref.intent) == "category"
               for c in out):  # a setting says where the named problem is (`SETTING`)
            out = [Counted(c.ref, c.rank, c.strength, PLACE_FACTOR, False)
                   if c.ref.subtype == SETTING and kinds.get(c.ref.intent) == "outside" else c for c in out]
        # A who-failed term counts for its category when that category is named anyway, or no other one is.
        return [c for c in out if not c.handling or c.ref.intent in named or not named], prominent

    def _place_factor(self, text: str, mention: Mention, mentions: list[Mention], starts: list[int],
                      vetoed: set[str], problems: list[set[int]]) -> float:
        """PLACE_FACTOR when an `other` term stands only as a place ("红绿灯处", "公交站旁边") in sentences that name
        a category's problem, else 1: a letter about the traffic light itself keeps its weight. `problems` caches
        those sentences for the message (computed on the first landmark only: most messages have none)."""
        term = mention.refs[0].term
        if term not in self._outside_texts:
            return 1.0
        size = len(term)
        if not all(as_place(text, start, start + size) for start in mention.starts):
            return 1.0
        if not problems:
            problems.append(self._problem_sentences(mentions, starts, vetoed))
        sentences = problems[0]
        return PLACE_FACTOR if all(bisect_right(starts, s) - 1 in sentences for s in mention.starts) else 1.0

    def _problem_sentences(self, mentions: list[Mention], starts: list[int], vetoed: set[str]) -> set[int]:
        """Indexes of the sentences where a category term stands."""
        kinds = self.kinds
        out: set[int] = set()
        for mention in mentions:
            if any(kinds.get(ref.intent) == "category" and ref.intent not in vetoed for ref in mention.refs):
                out.update(bisect_right(starts, start) - 1 for start in mention.starts)
        return out

    # -- matching ---------------------------------------------------------------------------------

    def _find(self, text: str) -> tuple[list[Mention], set[str]]:
        lex = self.lexicon
        bounds = {0, *accumulate(map(len, lex.tokenizer.cut(text, HMM=False)))}
        topic_spans: list[tuple[int, int, str, tuple[TermRef, ...]]] = []
        act_spans: list[tuple[int, int, str, tuple[TermRef, ...]]] = []
        vetoed: set[str] = set()
        if len(lex.automaton):
            for end_idx, (word, topic, act, is_veto) in lex.automaton.iter(text):
                end = end_idx + 1
                start = end - len(word)
                # A term is a word when both its ends are token boundaries or it sits inside one
                # token; one-character terms only as a whole word.
                if not (start in bounds and end in bounds) and (
                    len(word) == 1 or any(b in bounds for b in range(start + 1, end))
                ):
                    continue
                if is_veto:
                    vetoed |= lex.vetoes[word]
                if topic:
                    topic_spans.append((start, end, word, topic))
                if act:
                    act_spans.append((start, end, word, act))
        topic_mentions = longest(topic_spans, text)
        mentions = list(topic_mentions.values()) + list(longest(act_spans, text).values())
        mentions.extend(self._fuzzy(text, topic_mentions))
        return mentions, vetoed

    def _fuzzy(self, text: str, exact: dict[str, Mention]) -> list[Mention]:
        """Typos in long topic terms: only terms sharing half their bigrams reach rapidfuzz.

        A fuzzy hit on a span mostly explained by exact terms of the same intent is a near-duplicate
        keyword, not new evidence, so it is dropped; one mostly explained by another intent's exact
        terms is a different word, not a typo, so it is dropped too; acts (emergency above all) never
        match fuzzily.
        """
        lex = self.lexicon
        if not lex.fuzzy:
            return []
        index = lex.bigram_index
        # counted by hand: `Counter(iterable)` asks isinstance(iterable, Mapping) first, and that first question
        # in a process walks every Mapping subclass loaded (0.3 s under PTB, paid by the first message)
        shared: dict[int, int] = {}
        for idx in chain.from_iterable(map(index.__getitem__, bigrams(text) & index.keys())):
            shared[idx] = shared.get(idx, 0) + 1
        needed, fuzzy = lex.fuzzy_needed, lex.fuzzy
        candidates = [
            (count / needed[idx], idx)
            for idx, count in shared.items()
            if count >= needed[idx] and fuzzy[idx].text not in exact
        ]
        if not candidates:
            return []
        candidates.sort(reverse=True)
        out: list[Mention] = []
        for _, idx in candidates[:MAX_FUZZY_CANDIDATES]:
            term = fuzzy[idx]
            found = fuzz.partial_ratio_alignment(term.text, text, score_cutoff=FUZZY_CUTOFF)
            if found is None or negated(text, found.dest_start):
                continue
            lo, hi = found.dest_start, found.dest_end
            if 2 * explained(exact, None, lo, hi) >= hi - lo and not any(
                    2 * explained(exact, ref.intent, lo, hi) >= hi - lo for ref in term.refs):
                continue  # the text says another term exactly ("电动车上牌" is not a typo of "电动车上楼")
            refs = tuple(ref for ref in term.refs if 2 * explained(exact, ref.intent, lo, hi) < hi - lo)
            if refs:
                out.append(Mention(refs, [lo], FUZZY_FACTOR * found.score / 100))
        return out

    # -- deciding ---------------------------------------------------------------------------------

    def _decide(self, norm: NormalizedText, mentions: list[Mention], vetoed: set[str]) -> Classification:
        text = norm.text
        kinds = self.kinds
        values: dict[str, list[float]] = defaultdict(list)
        sub_scores: dict[tuple[str, str], float] = defaultdict(float)
        matched: dict[str, list[str]] = defaultdict(list)
        opening: dict[str, float] = defaultdict(float)
        counted, prominent = self._counted(text, mentions, vetoed, self.positions)
        # who-failed terms last, once the problems named are counted (the order the sums have always had)
        for c in chain((c for c in counted if not c.handling), (c for c in counted if c.handling)):
            value = c.ref.weight * c.strength
            if c.place != 1.0:
                value *= c.place
            self._count(c.ref, value, c.rank, values, opening, sub_scores, matched)
        scores: dict[str, float] = {}
        for intent_id, vals in values.items():
            if kinds.get(intent_id) == "outside":
                # Other domains are many: only the strongest few of their terms count, so a letter that
                # sets a real problem near a school or a developer's estate is not outvoted by the setting.
                scores[intent_id] = sum(sorted(vals, reverse=True)[:OUTSIDE_TOP_TERMS])
            else:
                scores[intent_id] = sum(vals)
        numbers = self.numbers
        topic = sorted(
            ((s * numbers.outside_pull if kinds.get(i) == "outside" else s, i)
             for i, s in scores.items() if kinds.get(i) in ("category", "outside")),
            key=lambda x: (x[0], kinds[x[1]] == "outside"), reverse=True,
        )
        topic = _opening_first(topic, opening, kinds, numbers.outside_pull)
        intent_id, confidence, alternatives = self._topic(text, topic, matched, prominent)

        subtype = None
        if intent_id:
            subs = [(s, st) for (i, st), s in sub_scores.items() if i == intent_id]
            if subs:
                subtype = max(subs)[1]

        act, asks_action = self._act(text, scores, kinds, intent_id, norm.original)
        terms = matched.get(intent_id, []) if intent_id else [t for _, i in topic[:1] for t in matched[i]]
        act_terms = [t for i, ts in matched.items() if kinds.get(i) == "act" and i == act for t in ts]
        return Classification(
            text=norm.original,
            intent=intent_id,
            subtype=subtype,
            act=act,
            confidence=round(confidence, 4),
            matched=sorted(set(terms)) + sorted(set(act_terms) - set(terms)),
            alternatives=alternatives,
            script=norm.script,
            truncated=norm.truncated,
            scores=dict(scores),
            asks_action=asks_action,
        )

    @staticmethod
    def _count(ref: TermRef, value: float, rank: int, values: dict[str, list[float]], opening: dict[str, float],
               sub_scores: dict[tuple[str, str], float], matched: dict[str, list[str]]) -> None:
        values[ref.intent].append(value)
        if rank == OPENING:
            opening[ref.intent] += value
        if ref.subtype:
            sub_scores[(ref.intent, ref.subtype)] += value
        matched[ref.intent].append(ref.term)

    def _topic(self, text: str, topic: list[tuple[float, str]], matched: dict[str, list[str]],
               prominent: set[str]) -> tuple[str | None, float, list[Alternative]]:
        """The strongest topic, when it clears its threshold (`Numbers`: fitted, or the hand-set defaults)."""
        kinds = self.kinds
        numbers = self.numbers
        calibrate = numbers.calibrate
        distinct = {i: len(set(ts)) for i, ts in matched.items()}
        # Outside wins ties (precision first: an unsure message is offered 12345, not a wrong desk).
        intent_id: str | None = None
        confidence = 0.0
        alternatives: list[Alternative] = []
        if topic:
            top_score, top_id = topic[0]
            runner_up = topic[1][0] if len(topic) > 1 else 0.0
            confidence = calibrate(_confidence(top_score, runner_up))
            # In a long letter one term is an incidental mention unless it is strong on its own.
            single = len(text) >= LONG_TEXT and distinct.get(top_id, 0) <= 1
            needed = numbers.long_single if single else numbers.topic
            if top_id not in prominent and distinct.get(top_id, 0) < PASSING_DISTINCT:
                needed = max(needed, numbers.passing)  # named only in passing, in the middle of the story
            if kinds[top_id] == "category" and top_score >= needed:
                intent_id = top_id
            alternatives = [
                Alternative(i, _confidence(s, top_score))
                for s, i in topic[1:4]
                if kinds[i] == "category"
            ]
            if intent_id is None:
                # `other`: confidence that it is *not* one of ours.
                best_cat = next((s for s, i in topic if kinds[i] == "category"), 0.0)
                confidence = calibrate(1 - _confidence(best_cat, top_score if kinds[top_id] == "outside" else 0.0))
                alternatives = [Alternative(i, _confidence(s, top_score)) for s, i in topic[:3] if kinds[i] == "category"]
        else:
            confidence = 1.0 if len(text) >= 4 else 0.5
        return intent_id, confidence, alternatives

    @staticmethod
    def _act(
        text: str, scores: dict[str, float], kinds: dict[str, str], intent_id: str | None, original: str = ""
    ) -> tuple[Act, bool]:
        """What the resident wants, and whether a question-shaped message asks the desk to act (`ASKS_ACTION`)."""
        def act_score(name: str) -> float:
            return scores.get(name, 0.0) if kinds.get(name) == "act" else 0.0

        if danger.decide(text, act_score("emergency"), MIN_TOPIC_SCORE, original):
            return "emergency", False
        status = act_score("status")
        # A status word never removes the topic of a letter that describes a problem: "…认定为违章建筑,
        # 为什么一直没有一个处理结果" is a complaint to handle, not a question about a case filed here.
        asks_status = status >= MIN_TOPIC_SCORE and status > act_score("report")
        if CASE_NUMBER.search(text) or (asks_status and len(text) <= (
                STATUS_MAX_CHARS if intent_id is not None else STATUS_OTHER_MAX_CHARS)):
            return "status", False
        ask, report = act_score("ask"), act_score("report")
        if ask >= MIN_TOPIC_SCORE and ask > report:
            if intent_id is not None and ASKS_ACTION.search(text):
                return "report", True  # "我想问一下楼上天天半夜装修能不能管管": a report dressed as a question
            return "ask", False
        if intent_id is None and not any(kinds.get(i) == "outside" and s > 0 for i, s in scores.items()):
            # Small talk only when no topic at all is named: "老板拖欠工资" is a request for 12345, not a chat.
            if act_score("chat") > 0 and report == 0 and len(text) <= 30:
                return "chat", False
            if report == 0 and len(text) < 8:
                return "chat", False
        return "report", False


def _opening_first(topic: list[tuple[float, str]], opening: dict[str, float], kinds: dict[str, str],
                   outside_pull: float) -> list[tuple[float, str]]:
    """When `other` leads on the whole letter, a category the opening sentence states strongly goes first."""
    if not topic or kinds[topic[0][1]] != "outside":
        return topic
    outside_opening = opening.get(topic[0][1], 0.0) * outside_pull
    stated = [(opening[i], s, i) for s, i in topic if kinds[i] == "category"
              and opening.get(i, 0.0) >= OPENING_TOPIC_MIN and opening[i] > outside_opening]
    if not stated:
        return topic
    _, score, intent_id = max(stated)
    return [(score, intent_id), *(t for t in topic if t[1] != intent_id)]


def _confidence(score: float, runner_up: float) -> float:
    """Saturating strength times share: one strong unrivalled term → ~0.5, several → ~0.9."""
    if score <= 0:
        return 0.0
    strength = 1 - math.exp(-score / CONF_SCALE)
    share = score / (score + runner_up + CONF_PRIOR)
    return max(0.0, min(0.99, strength * share * CONF_GAIN))

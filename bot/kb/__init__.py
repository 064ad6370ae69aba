"""Knowledge base: answers residents' policy questions from the admin-edited `knowledge/` entries."""

from bot.kb.base import DEFAULT_THRESHOLD, Answer, KnowledgeBase
from bot.kb.entries import Entry, load_entries

__all__ = ["DEFAULT_THRESHOLD", "Answer", "Entry", "KnowledgeBase", "load_entries"]

"""Chinese keywords of a case's text: jieba's precise mode (no HMM, so that unknown strings are not
glued into invented words) with the domain dictionary beside this file, then stop words, numbers,
punctuation and one-character tokens dropped (single characters say little, except the domain's)."""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from pathlib import Path

from django.conf import settings

HERE = Path(__file__).resolve().parent
DOMAIN_DICT = HERE / "domain_dict.txt"
STOP_WORDS = HERE / "stopwords.txt"
# Something that says what a case is about: at least one CJK character or Latin letter.
_WORDY = re.compile(r"[\u4e00-\u9fffA-Za-z]")
# Digits that may be a phone or ID number are never keywords, and must not split a word either.
_NUMBERS = re.compile(r"\d{5,}[\dXx]*")
# jieba segments each run of these characters on its own (its `re_han_default`): the keywords of a
# text are those of its runs, so each distinct run is segmented once and remembered.
_BLOCK = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]+")

_lock = threading.Lock()


def _lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


@lru_cache(maxsize=1)
def domain_terms() -> frozenset[str]:
    return frozenset(line.split()[0] for line in _lines(DOMAIN_DICT))


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    return frozenset(_lines(STOP_WORDS))


@lru_cache(maxsize=1)
def _tokenizer():
    import jieba

    with _lock:
        tokenizer = jieba.Tokenizer()
        cache = Path(getattr(settings, "VAR_DIR", "var")) / "jieba"
        cache.mkdir(parents=True, exist_ok=True)
        tokenizer.tmp_dir = str(cache)
        for line in _lines(DOMAIN_DICT):
            term, *rest = line.split()
            tokenizer.add_word(term, freq=int(rest[0]) if rest else None, tag=rest[1] if len(rest) > 1 else None)
        tokenizer.initialize()
    return tokenizer


def normalized(text: str) -> str:
    """The text with the numbers that may be phone or ID numbers blanked: the same words then make
    the same distinct text, and such numbers never reach a keyword."""
    return _NUMBERS.sub(" ", text or "")


def keywords(text: str) -> tuple[str, ...]:
    """The keywords of one text, in order, repeats kept (the TF of TF-IDF)."""
    return tuple(word for block in _BLOCK.findall(normalized(text)) for word in _block_keywords(block))


@lru_cache(maxsize=500_000)
def _block_keywords(block: str) -> tuple[str, ...]:
    stops, domain = stop_words(), domain_terms()
    tokens = _tokenizer().lcut(block, HMM=False)
    return tuple(t for t in (tok.strip() for tok in tokens)
                 if t and t not in stops and (len(t) > 1 or t in domain) and _WORDY.search(t))

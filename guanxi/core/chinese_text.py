"""Chinese-aware tokenisation (jieba) for full-text search and text analysis."""

import logging
import re
import unicodedata
from functools import lru_cache

from django.conf import settings

_WORD = re.compile(r"[\w\u3400-\u9fff]", re.UNICODE)
STOPWORDS = frozenset(
    """的 了 是 在 我 有 和 就 不 人 都 一 一个 上 也 很 到 说 要 去 你 会 着 没有 看 好 自己 这 那 吗 呢 吧 啊 么
    怎么 什么 请问 您好 你好 谢谢 a an the of to in and or is are for on with""".split()
)


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    cache_dir = settings.VAR_DIR / "cache"
    cache_dir.mkdir(parents=True, exist_ok=True)
    jieba.dt.tmp_dir = str(cache_dir)  # keep its dictionary cache out of the shared temp folder
    jieba.initialize()
    return jieba


def load_dictionary() -> None:
    """Load jieba's dictionary now rather than on the first text it cuts."""
    _jieba()


def tokens(text: str) -> list[str]:
    """Search-mode tokens (长词 and their parts), lower-cased, without punctuation or stopwords."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return [t for t in _jieba().cut_for_search(text) if _WORD.search(t) and t.strip() and t not in STOPWORDS]


def token_string(text: str) -> str:
    """Tokens joined by spaces: what a whitespace-tokenising index (FTS5, tsvector 'simple') stores."""
    return " ".join(dict.fromkeys(tokens(text)))

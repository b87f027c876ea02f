import gc

from guanxi.core import chinese_text
from guanxi.core.gunicorn_hooks import freeze_loaded_objects


def test_a_worker_freezes_what_it_loaded_so_full_collections_skip_it():
    gc.unfreeze()
    try:
        freeze_loaded_objects()
        # Everything loaded (the URLconf with every view and API schema among it) is frozen.
        assert gc.get_freeze_count() > 50_000
    finally:
        gc.unfreeze()


def test_a_worker_loads_the_word_dictionary_before_its_first_search():
    chinese_text._jieba.cache_clear()
    gc.unfreeze()
    try:
        freeze_loaded_objects()
        assert chinese_text._jieba.cache_info().currsize == 1
    finally:
        gc.unfreeze()

"""bisum: bilingual (Chinese <-> English) news summarization and translation."""
import logging as _logging

__version__ = "0.1.0"

try:  # jieba logs its dictionary loading at INFO on stderr
    import jieba as _jieba

    _jieba.setLogLevel(_logging.WARNING)
except ImportError:  # pragma: no cover
    pass

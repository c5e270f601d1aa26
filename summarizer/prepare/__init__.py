"""Prepare: ingest → clean → split → detect. Turns one input document into the articles on it."""
from __future__ import annotations

from summarizer.document import Article, Document
from summarizer.errors import InputError
from summarizer.prepare.clean import clean_document
from summarizer.prepare.detect import detect_article
from summarizer.prepare.split import split_document


def prepare_articles(doc: Document) -> list[Article]:
    """Clean, split and detect one document; a document with no usable text is an InputError."""
    if not doc.raw_text.strip():
        raise InputError(f"{doc.source_file}: input is empty")
    clean_document(doc)
    articles = [detect_article(a) for a in split_document(doc)]
    articles = [a for a in articles if a.source_lang not in (None, "unknown")]
    if not articles:
        raise InputError(f"{doc.source_file}: no Chinese or English text found")
    return articles

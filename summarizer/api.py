"""The library entry point. The CLI, the web page, evaluation and the benchmarks all go through here.

    from summarizer import api
    results = api.process("examples/000_5bf087980139354a.txt", api.settings(engine="extractive", to="none"))
    for r in results:
        print(r.article.title, r.summary)
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Sequence

from summarizer.config import Settings
from summarizer.document import Document, Result
from summarizer.errors import BisumError
from summarizer.pipeline import Pipeline, build_pipeline, prepared_results
from summarizer.prepare.detect import source_language
from summarizer.prepare.ingest import documents_from_arg, documents_from_bytes


def settings(**flags: Any) -> Settings:
    """Settings with one precedence: defaults < BISUM_* environment < these flags (None = not given)."""
    from summarizer.engines import check_names

    return check_names(Settings.load(**flags))


def pipeline(config: Settings | None = None, require_translator: bool = True) -> Pipeline:
    """A pipeline for these settings; engines are built once per process and shared."""
    return build_pipeline(config or settings(), require_translator)


def documents(source: str | Path | bytes, config: Settings, name: str = "<text>") -> list[Document]:
    """Text, a path, '-' (stdin) or raw bytes (an upload named `name`) as Documents."""
    if isinstance(source, bytes):
        return documents_from_bytes(source, name, Path(name).stem or "text", config.max_bytes)
    return documents_from_arg(str(source), config.max_bytes)


def prepare(docs: Iterable[Document]) -> list[Result]:
    """Clean, split and detect: one fresh Result per article."""
    return [r for doc in docs for r in prepared_results(doc)]


def process(source: str | Path | bytes, config: Settings | None = None, runner: Pipeline | None = None,
            name: str = "<text>") -> list[Result]:
    """Every article in the input (text, path, '-' or bytes), summarized, translated and checked."""
    config = config or settings()
    runner = runner or pipeline(config)
    return runner.run(prepare(documents(source, config, name)))


def process_texts(texts: Sequence[str], runner: Pipeline, source_lang: str | None = None) -> list[Result]:
    """One Result per text, each text taken as one article (eval sets: no cleaning-driven splitting).
    source_lang: the language the set declares (else detected per text)."""
    return runner.run(text_results(texts, source_lang, "<eval>"))


def text_results(texts: Sequence[str], source_lang: str | None, source_file: str) -> list[Result]:
    """A fresh Result per text, the text taken whole as one article, its non-blank lines as paragraphs;
    source_lang: the language to use (None: detected per text)."""
    from summarizer.document import Article
    from summarizer.prepare.detect import detect_article

    results = []
    for i, text in enumerate(texts):
        article = detect_article(Article(id=str(i), source_file=source_file, title=None, text=text,
                                         paragraphs=[p for p in text.split("\n") if p.strip()]))
        article.source_lang = source_lang or article.source_lang
        results.append(Result(article=article))
    return results


def translate(source: str | Path, config: Settings, from_lang: str = "auto", to: str = "auto") -> list[Result]:
    """The input's text (a path, '-', or text; HTML and .docx as their text) translated as the HTTP API's
    /translate does: line by line, checked and repaired. `Result.translation` is the text, `Result.checks` the flags."""
    from summarizer.prepare.ingest import read_text_arg

    text, _ = read_text_arg(str(source), config.max_bytes)
    return translate_texts([text], from_lang, to, config)


def translate_texts(texts: Sequence[str], source: str, target: str, config: Settings,
                    runner: Pipeline | None = None) -> list[Result]:
    """Each text translated line by line (its line breaks kept), then checked and repaired as `process` does.

    source: zh, en or auto (detected per text); target: zh, en or auto (the other language). `Result.translation`
    is the whole translated text; a text already in the target language, or in neither, comes back as it is. A line
    whose translation failed is empty, with a "failed" check. Raises EngineUnavailable without a translation model."""
    config = config.with_(to=target, translate="full")
    runner = runner or pipeline(config)
    results = text_results([t.replace("\r\n", "\n") for t in texts], None if source == "auto" else source, "<api>")
    runner.run([r for r in results if source_language(r.article) in ("zh", "en")], steps=("translate", "check"))
    for r in results:
        pairs = iter(r.translation_pairs or [(p, p) for p in r.article.paragraphs])  # untranslated: as it is
        r.translation = "\n".join(next(pairs)[1] if line.strip() else line for line in r.article.text.split("\n"))
        r.summary_translated = None
        r.engine, r.model = runner.translator.name, runner.translator.model
    return results

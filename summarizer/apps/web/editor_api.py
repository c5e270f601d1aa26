"""The editor's loop over HTTP, beside the LibreTranslate-compatible API (same key, same limit per client, same
`{"error": ...}` answers), with LibreTranslate's field names where it has them:

    POST   /corrections   q, translation, source, target [, who, original, article]  -> {"correction": {...}}
    GET    /corrections   ?source=zh&target=en                                      -> {"corrections": [...]}
    GET    /glossary      ?source=zh&target=en                                      -> {"terms": [{"term", ...}]}
    POST   /glossary      term, translation, source, target [, who]                 -> {"term": {...}}
    DELETE /glossary      term, source, target [, translation]                      -> {"removed": 1}  (404: none)
    GET    /history       ?q=words&limit=20&offset=0                                -> {"articles": [...]}
    GET    /history/{id}                                                            -> {"article": {..., "record"}}

A correction counts at once: from then on /translate, the page and the CLI return it for that sentence (see
`summarizer.engines.corrected`); a glossary entry goes into the prompts and checks of every later run. `who` is
the editor's name when given, with the API key's id (`key:` and 8 hex digits of its hash) or else the address.
"""
from __future__ import annotations

import hashlib
from typing import Any, Callable

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from summarizer.apps.web.http_api import ApiError, RateLimiter, client_of, error_response, read_fields
from summarizer.config import Settings
from summarizer.editor import corrections, glossary, history
from summarizer.editor.db import open_db
from summarizer.editor.pairs import Pair, TooLarge, guess_direction, language
from summarizer.errors import InputError

MAX_PAGE = 200  # history entries one request may list


def who_of(fields: dict[str, Any], client: str) -> str:
    """The editor's name (field `who`), with the key's id or the address."""
    ident = "key:" + hashlib.sha256(client[4:].encode()).hexdigest()[:8] if client.startswith("key:") else client
    name = fields.get("who")
    name = " ".join(name.split())[:60] if isinstance(name, str) else ""
    return f"{name} ({ident})" if name else ident


def term_dict(pair: Pair) -> dict[str, Any]:
    data = pair.to_dict()
    data["term"] = data.pop("text")
    return {k: data[k] for k in ("term", "translation", "source", "target", "who", "when")}


def _text(fields: dict[str, Any], name: str) -> str:
    value = fields.get(name)
    if value is None or value == "":
        raise ApiError(400, f"missing {name}")
    if not isinstance(value, str):
        raise ApiError(400, f"{name} must be a string")
    return value


def _pair(fields: dict[str, Any], text_field: str, who: str) -> Pair:
    """The request's pair; a missing or `auto` source is guessed from the text, a missing target is the other."""
    text, translation = _text(fields, text_field), _text(fields, "translation")
    source, target = fields.get("source"), fields.get("target")
    if not source or (isinstance(source, str) and source.strip().lower() == "auto"):
        source = guess_direction(text)[0]
    if not target:
        target = "en" if str(source).lower().startswith("zh") else "zh"
    article = fields.get("article")
    if article is not None and not (isinstance(article, int) or str(article).isdigit()):
        raise ApiError(400, f"article must be a history id, not {article!r}")
    original = fields.get("original") if isinstance(fields.get("original"), str) else None
    return Pair(text, translation, source, target, who, None, original, int(article) if article is not None else None)


def _whole(value: Any, name: str, default: int, top: int) -> int:
    try:
        return max(0, min(top, int(value))) if value not in (None, "") else default
    except (TypeError, ValueError):
        raise ApiError(400, f"{name} must be a whole number, not {value!r}") from None


def _languages(fields: dict[str, Any]) -> tuple[str | None, str | None]:
    """The source and target filters (zh or en), each None when not given."""
    source, target = (language(fields[k], k) if fields.get(k) else None for k in ("source", "target"))
    return source, target


# --- the work of each route, on a worker thread: (fields, who) -> answer ------------------------------------------
def add_correction(fields: dict[str, Any], who: str) -> dict[str, Any]:
    return {"correction": corrections.add_correction(open_db(), _pair(fields, "q", who)).to_dict()}


def list_corrections(fields: dict[str, Any], who: str) -> dict[str, Any]:
    source, target = _languages(fields)
    return {"corrections": [p.to_dict() for p in corrections.list_corrections(open_db(), source, target)]}


def list_terms(fields: dict[str, Any], who: str) -> dict[str, Any]:
    source, target = _languages(fields)
    return {"terms": [term_dict(p) for p in glossary.list_terms(open_db(), source, target)]}


def add_term(fields: dict[str, Any], who: str) -> dict[str, Any]:
    return {"term": term_dict(glossary.add_term(open_db(), _pair(fields, "term", who)))}


def remove_term(fields: dict[str, Any], who: str) -> dict[str, Any]:
    term = _text(fields, "term")
    source, target = _languages(fields)
    source = source or guess_direction(term)[0]
    target = target or ("en" if source == "zh" else "zh")
    translation = fields.get("translation") if isinstance(fields.get("translation"), str) else None
    removed = glossary.remove_term(open_db(), term, source, target, translation or None)
    if not removed:
        raise ApiError(404, f"no glossary entry {term!r} for {source}->{target}")
    return {"removed": removed}


def search(fields: dict[str, Any], who: str) -> dict[str, Any]:
    query = fields.get("q") if isinstance(fields.get("q"), str) else None
    limit, offset = _whole(fields.get("limit"), "limit", 20, MAX_PAGE), _whole(fields.get("offset"), "offset", 0, 10**9)
    return {"articles": [e.to_dict() for e in history.search_history(open_db(), query, limit, offset)]}


def entry(entry_id: int) -> Callable[[dict[str, Any], str], dict[str, Any]]:
    def work(fields: dict[str, Any], who: str) -> dict[str, Any]:
        found = history.history_entry(open_db(), entry_id)
        if found is None:
            raise ApiError(404, f"no article {entry_id} in the history")
        return {"article": found.to_dict()}

    return work


def router(base: Settings) -> APIRouter:
    """The editor's routes over the server's settings (its API key and per-client rate); mount with
    `app.include_router(router(base))`."""
    routes, limiter = APIRouter(tags=["editor"]), RateLimiter()

    async def handle(request: Request, work: Callable[[dict[str, Any], str], dict[str, Any]]) -> Response:
        try:
            fields = dict(request.query_params)
            if request.method in ("POST", "DELETE", "PUT"):
                fields.update(await read_fields(request))
            client = client_of(request, fields, base, limiter)
            limiter.admit(client, base.api_rate_per_minute)
            who = who_of(fields, client)
            return JSONResponse(await anyio.to_thread.run_sync(lambda: work(fields, who)))
        except TooLarge as exc:
            return error_response(ApiError(413, str(exc)))
        except InputError as exc:
            return error_response(ApiError(400, str(exc)))
        except Exception as exc:  # noqa: BLE001 -- every error is one JSON line with its status
            return error_response(exc)

    def endpoint(work: Callable) -> Callable:
        async def answer(request: Request) -> Response:
            return await handle(request, work)

        return answer

    for method, path, work in (("POST", "/corrections", add_correction), ("GET", "/corrections", list_corrections),
                               ("GET", "/glossary", list_terms), ("POST", "/glossary", add_term),
                               ("DELETE", "/glossary", remove_term), ("GET", "/history", search)):
        routes.add_api_route(path, endpoint(work), methods=[method])

    @routes.get("/history/{entry_id}")
    async def get_entry(request: Request, entry_id: int) -> Response:
        return await handle(request, entry(entry_id))

    return routes

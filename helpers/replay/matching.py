"""Which recording answers a request: pure functions over JSON bodies.

A request matches a recording when its method, path and meaningful body are equal. Ignored
body fields (see ``IGNORED_FIELDS``) change neither the shape nor the teaching content of an
answer, so a student who changes them still gets the recorded stream.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx2

from helpers.replay.recording_file import Recording

IGNORED_FIELDS: dict[str, str] = {
    "model": "the course sets it in one place (COURSE_MODEL); the recording says which model answered",
    "metadata": "an end-user id for abuse tracking, not part of the conversation",
    "temperature": "sampling settings: any sample is a valid answer to replay",
    "top_p": "sampling setting",
    "top_k": "sampling setting",
    "service_tier": "capacity routing, not content",
}
SIMILARITY_CHARS = 2000  # how much of a differing field ranks near misses


def meaningful_body(body: dict[str, Any]) -> dict[str, Any]:
    """The body without ignored fields, with ``stream`` made explicit (absent means false)."""
    kept = {k: v for k, v in body.items() if k not in IGNORED_FIELDS}
    kept["stream"] = bool(body.get("stream", False))
    return kept


def request_key(method: str, path: str, body: dict[str, Any]) -> str:
    """A canonical string: equal keys mean the same recorded answer applies."""
    canonical = json.dumps(meaningful_body(body), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return f"{method.upper()} {path.rstrip('/')} {canonical}"


def request_json(request: httpx2.Request) -> dict[str, Any] | None:
    """The request's JSON object body (``{}`` when empty), or None for a body a recording cannot
    hold: not JSON (a file upload), or streamed and no longer readable."""
    try:
        body = json.loads(request.content or b"{}")
    except (ValueError, httpx2.RequestNotRead):
        return None
    return body if isinstance(body, dict) else None


def api_path(path: str) -> str:
    """The API's own path (``/v1/messages``), without what a gateway's base URL puts before it
    (``/accounts/ACCT-ID/anthropic``): that prefix is a deployment's detail, and may name an account."""
    at = path.rfind("/v1/")  # the last: some gateways' own paths start with /v1/ too
    return path[at:] if at > 0 else path


def gateway_segments(path: str) -> list[str]:
    """The id-like parts of a gateway's prefix (see ``api_path``: digits in them, 8 characters or
    more), to redact wherever else they appear; words such as ``anthropic`` are not secrets."""
    at = path.rfind("/v1/")
    segments = path[:at].split("/") if at > 0 else []
    return [segment for segment in segments if len(segment) >= 8 and any(c.isdigit() for c in segment)]


def attempt_of(request: httpx2.Request) -> int:
    """Which try of the SDK's retry loop a request is (0 first), from the header it sends on each."""
    return int(request.headers.get("x-stainless-retry-count", "0") or 0)


def _differences(recorded: Any, sent: Any, where: str) -> list[str]:
    """Paths (``messages[0].content``) where two JSON values differ, most specific first."""
    if isinstance(recorded, dict) and isinstance(sent, dict):
        out: list[str] = []
        for key in sorted(set(recorded) | set(sent)):
            here = f"{where}.{key}" if where else key
            if key not in recorded or key not in sent:
                out.append(here)
            else:
                out.extend(_differences(recorded[key], sent[key], here))
        return out
    if isinstance(recorded, list) and isinstance(sent, list):
        out = []
        for i, (a, b) in enumerate(zip(recorded, sent, strict=False)):
            out.extend(_differences(a, b, f"{where}[{i}]"))
        # Items only one side has, e.g. a conversation one turn longer than the recording.
        out.extend(f"{where}[{i}]" for i in range(min(len(recorded), len(sent)), max(len(recorded), len(sent))))
        return out
    return [] if recorded == sent else [where or "body"]


def _lookup(body: Any, path: str) -> Any:
    value = body
    for part in path.replace("[", ".[").split("."):
        if not part:
            continue
        try:
            value = value[int(part[1:-1])] if part.startswith("[") else value[part]
        except (KeyError, IndexError, TypeError, ValueError):
            return "<absent>"
    return value


@dataclass(frozen=True)
class NearMiss:
    """The recording closest to an unmatched request and how they differ."""

    recording: Recording
    fields: list[str]
    recorded: Any
    sent: Any


def closest(recordings: Iterable[Recording], method: str, path: str, body: dict[str, Any]) -> NearMiss | None:
    """The recording with the fewest differing fields, then the most similar first difference."""
    sent = meaningful_body(body)
    best: tuple[tuple[bool, int, float], NearMiss] | None = None
    for recording in recordings:
        req = recording.request
        recorded = meaningful_body(req.body)
        fields = _differences(recorded, sent, "")
        other_endpoint = req.method.upper() != method.upper() or req.path.rstrip("/") != path.rstrip("/")
        first_pair = (_opening(_lookup(recorded, fields[0])), _opening(_lookup(sent, fields[0]))) if fields else ("", "")
        similarity = difflib.SequenceMatcher(None, *first_pair).ratio()
        score = (other_endpoint, len(fields), -similarity)
        if best is None or score < best[0]:
            if other_endpoint:
                miss = NearMiss(recording, ["path"], f"{req.method} {req.path}", f"{method.upper()} {path}")
            else:
                first = fields[0] if fields else "body"
                miss = NearMiss(recording, fields, _lookup(recorded, first), _lookup(sent, first))
            best = (score, miss)
    return best[1] if best else None


def _opening(value: Any) -> str:
    """The start of a value as JSON: enough to rank near misses, and a 4-million-character prompt costs no more."""
    return json.dumps(value, ensure_ascii=False)[:SIMILARITY_CHARS]


def _short(value: Any, limit: int = 90) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def explain_no_match(near: NearMiss | None, searched: Sequence[str]) -> str:
    """The message a student sees when nothing recorded answers their request."""
    lines = ["No recorded stream answers this request (replay mode)."]
    if near is None:
        lines.append(
            f"There are no recordings in {', '.join(searched)}. Point COURSE_FIXTURES at a folder of recordings "
            "(or unset it to use the course's own), or set ANTHROPIC_API_KEY to call the real API."
        )
        return "\n".join(lines)
    if near.fields[0] == "path":
        lines += [
            f"The recordings answer {near.recording.request.method} {near.recording.request.path} only;",
            f"this request went to {near.sent}. The course records Messages API calls.",
            "To call other endpoints, set ANTHROPIC_API_KEY and COURSE_MODE=live.",
        ]
        return "\n".join(lines)
    else:
        where = near.recording.path or near.recording.name
        shown = ", ".join(near.fields[:4]) + (" …" if len(near.fields) > 4 else "")
        lines += [
            f"Closest recording: {where}",
            f"  differs in: {shown}",
            f"  recorded {near.fields[0]}: {_short(near.recorded)}",
            f"  your     {near.fields[0]}: {_short(near.sent)}",
        ]
    lines += [
        "Three ways forward:",
        "  1. undo the edit so the request matches the recording again (re-run the cell above if needed),",
        "  2. set ANTHROPIC_API_KEY (and COURSE_MODE=live) to send this request to the real API, or",
        "  3. to tinker without a key, make the client with make_client(nearest=True) (or set COURSE_NEAREST=1):",
        "     an edited request is then answered by the closest recording, which says so.",
    ]
    return "\n".join(lines)


def nearest_note(near: NearMiss) -> str:
    """The line a tinkering student sees when the closest recording answers their edited request."""
    where = near.recording.path.name if near.recording.path else near.recording.name
    shown = ", ".join(near.fields[:3]) + (" …" if len(near.fields) > 3 else "")
    return f"Tinkering (nearest=True): no recording answers this request; replaying {where}, the closest (it differs in {shown})."

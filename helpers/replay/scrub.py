"""What must never reach a recording file: credentials and account ids, found and cut out.

Pure functions over headers, bytes and JSON values, so the recorder's redaction and the
recording checker can be tested without a network.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import httpx2

from helpers.replay.recording_file import Chunk

SECRET_HEADERS = frozenset(
    {
        "authorization",
        "x-api-key",
        "cookie",
        "set-cookie",
        "anthropic-organization-id",
        "anthropic-workspace-id",
        "anthropic-user-profile-id",
        "proxy-authorization",
        "cf-aig-authorization",
        "x-portkey-api-key",
        "helicone-auth",
    }
)
SECRET_NAME_PARTS = ("organization", "workspace")
UNREPLAYABLE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive"})
MIN_SECRET_LENGTH = 8
REDACTED = b"[redacted]"

_SUSPICIOUS = re.compile(
    r"(?<![A-Za-z0-9_-])sk-ant-[A-Za-z0-9_-]{8,}"  # an Anthropic key
    r"|\bBearer\s+(?=[A-Za-z0-9._~+/-]*\d)[A-Za-z0-9._~+/-]{16,}=*"  # a token: long, with a digit
    r"|(?i:\bx-api-key)[\"']?\s*[:=]\s*[\"']?[A-Za-z0-9._~+/-]{8,}"  # a header line with a literal value
)


def is_secret_header(name: str) -> bool:
    """Credentials, cookies and account ids: headers whose values identify a person or key."""
    lowered = name.lower()
    return lowered in SECRET_HEADERS or any(part in lowered for part in SECRET_NAME_PARTS)


def _pairs(headers: httpx2.Headers | Mapping[str, str] | Iterable[tuple[str, str]]) -> Iterable[tuple[str, str]]:
    if isinstance(headers, httpx2.Headers):
        return headers.multi_items()  # repeated headers (set-cookie) one by one, not joined
    if isinstance(headers, Mapping):
        return headers.items()
    return headers


def credentials_in(name: str, value: str) -> list[str]:
    """The secret parts of a secret header's value, the strings a body or a message could echo:
    the token of ``authorization``, each cookie's value, or the whole value (a key, an id)."""
    if name.endswith("authorization") or name == "helicone-auth":
        return [value.split(None, 1)[-1]]
    if name in ("cookie", "set-cookie"):
        pairs = value.split(";") if name == "cookie" else value.split(";")[:1]
        return [pair.split("=", 1)[1].strip().strip('"') for pair in pairs if "=" in pair]
    return [value]


def scrub_headers(
    headers: httpx2.Headers | Mapping[str, str] | Iterable[tuple[str, str]],
) -> tuple[dict[str, str], list[str]]:
    """Headers safe to store and replay (lower-cased), and the secret values taken out.

    The values are returned so the same strings, and any piece of them, can be redacted wherever
    else they appear.
    """
    kept: dict[str, str] = {}
    secrets: list[str] = []
    for name, value in _pairs(headers):
        lowered = name.lower()
        if is_secret_header(lowered):
            secrets += credentials_in(lowered, value)
        elif lowered not in UNREPLAYABLE_HEADERS:
            kept[lowered] = f"{kept[lowered]}, {value}" if lowered in kept else value
    return kept, secrets


def _usable(secrets: Iterable[str]) -> list[bytes]:
    # Longest first, so a value is cut whole before any shorter secret inside it.
    found = {s.encode("utf-8") for s in secrets if len(s) >= MIN_SECRET_LENGTH}
    return sorted(found, key=len, reverse=True)


def _token_like(secret: bytes) -> bool:
    """A key or an id: a digit in it, no space."""
    return any(48 <= byte <= 57 for byte in secret) and not any(byte in b" \t\r\n" for byte in secret)


def _spans(data: bytes, secrets: list[bytes]) -> list[tuple[int, int]]:
    """Where a secret, or any piece of one at least 8 bytes long, stands in ``data``: merged, in order.

    Pieces matter: a body that echoes a key in two overlapping halves would let it be rebuilt.
    Only token-like values (a digit in them, no spaces: keys, ids) are cut in pieces; a value such
    as "Acme Organization" or a cookie's "accepted" is cut whole, or every such word in an answer
    would go too.
    """
    width = MIN_SECRET_LENGTH
    tokens = [secret for secret in secrets if _token_like(secret)]
    pieces = {secret[i : i + width] for secret in tokens for i in range(len(secret) - width + 1)}
    covered = [(i, i + width) for i in range(len(data) - width + 1) if data[i : i + width] in pieces]
    for secret in secrets:
        start = data.find(secret)
        while start != -1:
            covered.append((start, start + len(secret)))
            start = data.find(secret, start + 1)
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(covered):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def redact(data: bytes, secrets: Iterable[str]) -> bytes:
    """``data`` with every secret value, and every piece of one 8 bytes or longer, replaced by
    ``[redacted]``; shorter values are left alone, since they would also match innocent text."""
    parts, start = [], 0
    for lo, hi in _spans(data, _usable(secrets)):
        parts += [data[start:lo], REDACTED]
        start = hi
    return b"".join([*parts, data[start:]])


def redact_json(value: Any, secrets: Iterable[str]) -> Any:
    """A JSON value with secrets redacted inside its strings, so the result is still valid JSON."""
    secrets = list(secrets)
    if isinstance(value, str):
        return redact(value.encode("utf-8"), secrets).decode("utf-8")
    if isinstance(value, list):
        return [redact_json(item, secrets) for item in value]
    if isinstance(value, dict):
        return {redact_json(key, secrets): redact_json(item, secrets) for key, item in value.items()}
    return value


def _boundaries_outside(body: bytes, ends: list[int], secrets: list[bytes]) -> list[int]:
    """Chunk ends that do not fall inside a secret or a piece of one."""
    spans = _spans(body, secrets)
    return [end for end in ends if not any(lo < end < hi for lo, hi in spans)]


def redact_chunks(chunks: list[Chunk], secrets: Iterable[str]) -> list[Chunk]:
    """A chunked body with secrets redacted, even one split across chunks.

    Chunks a secret straddles are merged first (at the later arrival time), so every
    occurrence lies inside one chunk; all other boundaries and times are kept.
    """
    secrets = list(secrets)
    body = b"".join(chunk.data for chunk in chunks)
    ends: list[int] = []
    at_end: dict[int, float] = {}
    for chunk in chunks:
        ends.append((ends[-1] if ends else 0) + len(chunk.data))
        at_end[ends[-1]] = chunk.at
    merged, start = [], 0
    for end in _boundaries_outside(body, ends, _usable(secrets)):
        merged.append(Chunk(at_end[end], redact(body[start:end], secrets)))
        start = end
    return merged


def find_secrets(text: str) -> list[str]:
    """Strings in a recording that look like credentials: ``sk-ant-`` keys, ``Bearer`` tokens and
    ``x-api-key:`` lines with a literal value. Ids of a recorded stream (``msg_``, ``toolu_``,
    ``req_``) and thinking signatures do not match."""
    return [match.group(0) for match in _SUSPICIOUS.finditer(text)]

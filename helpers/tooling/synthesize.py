"""Synthesize recordings from spec files, in the API's exact wire format.

No API key exists where this pack is built, so its shipped streams are made here from
``fixtures/specs/*.toml``: content blocks plus a timing model (time to first token, a token
rate with jitter, fragment sizes like the API's, pauses before tool-input bursts). The output
follows the framing, padding, event order, ping and usage of real captures (see
``fixtures/README.md``; ``tests/replay/test_conformance.py`` compares the shapes with the
published captures). A seeded generator makes every build identical, and every file says in its
provenance that it was synthesized. ``python -m helpers record`` replaces them with live
recordings where a key exists.

Block kinds a spec's ``[[content]]`` tables may use:

- ``text``: ``text``, optional ``citations`` (sent before the text). Structured output is a text
  block whose text is the JSON document.
- ``thinking``: ``thinking`` (the summarized text; ``""`` for ``display: "omitted"``, which streams
  no ``thinking_delta`` at all) and optional ``thinking_tokens``, the tokens actually spent
  thinking (required when the text is empty): the clock advances by them, ``output_tokens``
  counts them and ``usage.output_tokens_details.thinking_tokens`` reports them. One
  ``signature_delta`` ends the block.
- ``tool_use``: ``name`` and ``input``, or ``raw_input_json`` (cut or broken JSON). By default the
  input comes in key/value bursts after a pause (the API's buffered mode); ``eager = true`` streams
  it at the token rate without pauses, as a tool with ``eager_input_streaming`` does.
- ``fallback``: ``from`` and ``to`` (model ids), optional ``category`` and ``declined_tokens`` (output
  the declining model spent without showing it): a server-side fallback's
  hand-over, a start and a stop with no deltas. Blocks after it are the ``to`` model's; the final
  usage gets per-model ``iterations`` (``message`` for each declining hop, ``fallback_message``
  for the one that served), and ``[timing] handover`` is the fallback model's own wait.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import random
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers.errors import RecordingError
from helpers.replay import recording_file
from helpers.replay.recording_file import Chunk, Exchange, RecordedRequest, RecordedResponse, Recording
from helpers.replay.sse import frame

GENERATOR = "helpers.tooling.synthesize"
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# Pseudo-tokens close to a BPE split: a word with its leading space, up to 3 digits, a run of
# punctuation, or whitespace.
_TOKEN = re.compile(r" ?[A-Za-z]+| ?[0-9]{1,3}| ?[^\sA-Za-z0-9]+|\s+")
# How many pseudo-tokens the API packs into one text_delta: mostly 1-3, now and then a phrase.
_FRAGMENT_TOKENS = (1, 1, 1, 2, 2, 2, 2, 3, 3, 4, 5, 7)
_COALESCE_WITHIN = 0.002  # events this close together leave the server in one packet


_REQUIRED_FIELDS = {"text": ("text",), "thinking": ("thinking",), "tool_use": ("name",), "fallback": ("from", "to")}


@dataclass(frozen=True)
class Timing:
    """The timing model of one synthesized response, in seconds and tokens per second."""

    ttft: float = 0.7
    tokens_per_second: float = 75.0
    jitter: float = 0.35
    tool_pause: float = 0.45
    headers_after: float = 0.3
    handover: float = 0.6  # after a fallback block: the fallback model's own time to first token


@dataclass
class Spec:
    """A recording to synthesize, as its TOML file describes it."""

    name: str
    path: Path
    request: dict[str, Any]
    blocks: list[dict[str, Any]]
    stop_reason: str
    stop_sequence: str | None
    input_tokens: int
    timing: Timing
    date: str
    seed: int
    note: str
    also_blocking: bool
    stop_details: dict[str, Any] | None = None
    failed_attempts: list[dict[str, Any]] = field(default_factory=list)
    expect_sdk_error: str | None = None


def _require(table: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = table.get(key)
    if not isinstance(value, kind):
        raise RecordingError(f"{where}: field '{key}' must be a {kind.__name__}, got {value!r}.")
    return value


def load_spec(path: Path) -> Spec:
    """Read and check one spec file; errors name the file and the field."""
    where = str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise RecordingError(f"{where}: not valid TOML ({err}).") from None
    request = _require(raw, "request", dict, where)
    response = _require(raw, "response", dict, where)
    meta = raw.get("meta", {})
    blocks = _require(raw, "content", list, where)
    for n, block in enumerate(blocks):
        _check_block(block, f"{where}: content[{n}]")
    try:
        timing_fields = {k: float(v) for k, v in raw.get("timing", {}).items()}
    except (TypeError, ValueError):
        raise RecordingError(f"{where}: every [timing] value must be a number of seconds or tokens per second.") from None
    unknown = set(timing_fields) - set(Timing.__dataclass_fields__)
    if unknown:
        raise RecordingError(f"{where}: unknown timing field(s) {sorted(unknown)}; known: {list(Timing.__dataclass_fields__)}.")
    seed = int(meta.get("seed", int(hashlib.sha256(path.stem.encode()).hexdigest()[:8], 16)))
    return Spec(
        name=path.stem,
        path=path,
        request=request,
        blocks=blocks,
        stop_reason=_require(response, "stop_reason", str, where),
        stop_sequence=response.get("stop_sequence"),
        input_tokens=int(response.get("input_tokens", _estimate_input_tokens(request))),
        timing=Timing(**timing_fields),
        date=str(_require(meta, "date", str, where)),
        seed=seed,
        note=str(meta.get("note", "")),
        also_blocking=bool(response.get("also_blocking", False)),
        stop_details=response.get("stop_details"),
        failed_attempts=list(response.get("failed_attempts", [])),
        expect_sdk_error=response.get("expect_sdk_error"),
    )


def _check_block(block: dict[str, Any], where: str) -> None:
    kind = block.get("type")
    if kind not in _REQUIRED_FIELDS:
        raise RecordingError(f"{where}.type must be one of {', '.join(_REQUIRED_FIELDS)}, got {kind!r}.")
    for name in _REQUIRED_FIELDS[kind]:
        if not isinstance(block.get(name), str):
            raise RecordingError(f"{where} ({kind}) needs a string field '{name}'.")
    spent = block.get("thinking_tokens")
    if kind == "thinking" and spent is not None and (not isinstance(spent, int) or spent < 1):
        raise RecordingError(f"{where} (thinking): 'thinking_tokens' must be a whole number of tokens above 0, got {spent!r}.")
    if kind == "thinking" and not block["thinking"] and spent is None:
        raise RecordingError(
            f"{where} (thinking) has no text, as with display 'omitted': give 'thinking_tokens', the tokens it spent thinking."
        )


def _estimate_input_tokens(request: dict[str, Any]) -> int:
    text = json.dumps(request.get("messages", [])) + json.dumps(request.get("system", ""))
    return 8 + len(text) // 4


def pseudo_tokens(text: str) -> list[str]:
    """Split text into pieces that approximate the model's tokens (they join back to ``text``)."""
    pieces = _TOKEN.findall(text)
    assert "".join(pieces) == text
    return pieces


def token_count(text: str) -> int:
    """An estimate of how many output tokens ``text`` is: long words count as several."""
    return sum(max(1, math.ceil(len(p.strip()) / 7)) for p in pseudo_tokens(text))


def fragments(text: str, rng: random.Random) -> list[str]:
    """Cut text into text_delta-sized fragments, as the API batches tokens."""
    pieces = pseudo_tokens(text)
    out: list[str] = []
    i = 0
    while i < len(pieces):
        take = rng.choice(_FRAGMENT_TOKENS)
        out.append("".join(pieces[i : i + take]))
        i += take
    return out


def json_fragments(document: str, rng: random.Random) -> list[str]:
    """Cut a tool-input JSON document into the small pieces input_json_delta carries."""
    out: list[str] = []
    i = 0
    while i < len(document):
        take = rng.randint(2, 12)
        out.append(document[i : i + take])
        i += take
    return out


def _key_value_bursts(tool_input: dict[str, Any]) -> list[str]:
    """The input JSON cut after each complete key/value: the model emits one pair at a time."""
    keys = list(tool_input)
    document = json.dumps(tool_input, ensure_ascii=False)
    cuts = [len(json.dumps({k: tool_input[k] for k in keys[:n]}, ensure_ascii=False)) - 1 for n in range(1, len(keys))]
    bounds = [0, *cuts, len(document)]
    return [document[a:b] for a, b in itertools.pairwise(bounds)]


def _ident(rng: random.Random, prefix: str, length: int) -> str:
    return prefix + "".join(rng.choice(_ALPHABET) for _ in range(length))


class _Writer:
    """Accumulates (offset, event bytes) with the API's compact JSON and trailing padding."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.events: list[tuple[float, bytes]] = []

    def emit(self, at: float, payload: dict[str, Any]) -> None:
        name = payload["type"]
        if name == "ping":
            data = json.dumps(payload)
        else:
            compact = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
            data = compact[:-1] + " " * self.rng.randint(0, 15) + "}"
        self.events.append((at, frame(name, data)))

    def chunks(self) -> list[Chunk]:
        merged: list[Chunk] = []
        for at, data in self.events:
            if merged and at - merged[-1].at < _COALESCE_WITHIN:
                merged[-1] = Chunk(merged[-1].at, merged[-1].data + data)
            else:
                merged.append(Chunk(round(at, 4), data))
        return merged


def _usage(spec: Spec, output_tokens: int) -> dict[str, Any]:
    return {
        "input_tokens": spec.input_tokens,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
        "output_tokens": output_tokens,
        "service_tier": "standard",
        "inference_geo": "not_available",
    }


def _final_input(block: dict[str, Any]) -> Any:
    if "raw_input_json" not in block:
        return block.get("input", {})
    try:
        return json.loads(block["raw_input_json"])
    except ValueError:
        return {}  # the model's JSON was cut off or broken: nothing whole to show


def _fallback_block(block: dict[str, Any]) -> dict[str, Any]:
    """The ``fallback`` content block: which model declined, which one takes over, and why."""
    return {
        "type": "fallback",
        "from": {"model": block["from"]},
        "to": {"model": block["to"]},
        "trigger": {"type": "refusal", "category": block.get("category")},
    }


def _final_block(block: dict[str, Any], tool_id: str | None, signature: str | None) -> dict[str, Any]:
    if block["type"] == "fallback":
        return _fallback_block(block)
    if block["type"] == "text":
        text_block: dict[str, Any] = {"type": "text", "text": block["text"]}
        if block.get("citations"):
            text_block["citations"] = block["citations"]
        return text_block
    if block["type"] == "thinking":
        return {"type": "thinking", "thinking": block["thinking"], "signature": signature}
    return {"type": "tool_use", "id": tool_id, "name": block["name"], "input": _final_input(block)}


class _Composer:
    """Writes one streamed message event by event, on a clock that advances token by token."""

    def __init__(self, spec: Spec, rng: random.Random, now: float) -> None:
        self.spec, self.rng, self.now = spec, rng, now
        self.timing = spec.timing
        self.writer = _Writer(rng)
        self.output_tokens = 0
        self.thinking_tokens = 0
        self.hops: list[tuple[str, str, int]] = []  # per fallback block: (model that declined, next model, its output tokens)
        self.final_content: list[dict[str, Any]] = []

    def gap(self, tokens: int) -> float:
        jitter = self.timing.jitter
        return tokens / self.timing.tokens_per_second * self.rng.lognormvariate(-(jitter**2) / 2, jitter)

    def delta(self, index: int, delta: dict[str, Any]) -> None:
        self.writer.emit(self.now, {"type": "content_block_delta", "index": index, "delta": delta})

    def block(self, index: int, block: dict[str, Any]) -> None:
        kind = block["type"]
        tool_id = _ident(self.rng, "toolu_01", 22) if kind == "tool_use" else None
        if kind == "text":
            start: dict[str, Any] = {"type": "text", "text": ""}
        elif kind == "thinking":
            start = {"type": "thinking", "thinking": "", "signature": ""}
        elif kind == "fallback":
            start = _fallback_block(block)
        else:
            start = {"type": "tool_use", "id": tool_id, "name": block["name"], "input": {}, "caller": {"type": "direct"}}
        self.writer.emit(self.now, {"type": "content_block_start", "index": index, "content_block": start})
        if index == 0:
            self.writer.emit(self.now, {"type": "ping"})
            self.now = max(self.now + 0.005, self.timing.ttft)
        signature = None
        if kind == "tool_use":
            self.tool_input(index, block)
        elif kind == "fallback":
            declined = int(block.get("declined_tokens", 0))  # what the declining model spent that never showed
            self.output_tokens += declined
            self.hops.append((block["from"], block["to"], self.output_tokens - sum(hop[2] for hop in self.hops)))
        else:
            signature = self.prose(index, block)
        self.writer.emit(self.now, {"type": "content_block_stop", "index": index})
        self.now += self.rng.uniform(0.01, 0.05)
        if kind == "fallback":
            self.now += self.timing.handover
        self.final_content.append(_final_block(block, tool_id, signature))

    def prose(self, index: int, block: dict[str, Any]) -> str | None:
        """Text or thinking deltas at the token rate; citations first, a signature last. Returns the signature."""
        for citation in block.get("citations", []):
            self.delta(index, {"type": "citations_delta", "citation": citation})
            self.now += self.rng.uniform(0.002, 0.01)
        delta_type, field_name = ("text_delta", "text") if block["type"] == "text" else ("thinking_delta", "thinking")
        shown = 0
        for piece in fragments(block[field_name], self.rng):
            tokens = token_count(piece)
            if self.output_tokens:  # the first fragment lands at time to first token
                self.now += self.gap(tokens)
            self.delta(index, {"type": delta_type, field_name: piece})
            self.output_tokens += tokens
            shown += tokens
        if block["type"] != "thinking":
            return None
        spent = int(block.get("thinking_tokens", shown))
        if spent > shown:  # thinking that was summarized or omitted still takes its time and its tokens
            self.now += self.gap(spent - shown)
            self.output_tokens += spent - shown
        self.thinking_tokens += spent
        signature = _ident(self.rng, "Eu", 342)
        self.delta(index, {"type": "signature_delta", "signature": signature})
        return signature

    def tool_input(self, index: int, block: dict[str, Any]) -> None:
        """Input JSON in bursts, one key/value at a time after a pause (or ``raw_input_json`` as given);
        with ``eager``, at the token rate as it is written, without the pauses."""
        self.delta(index, {"type": "input_json_delta", "partial_json": ""})
        raw = block.get("raw_input_json")
        if block.get("eager"):
            document = raw if raw is not None else json.dumps(block.get("input", {}), ensure_ascii=False)
            for piece in fragments(document, self.rng):
                tokens = token_count(piece)
                self.now += self.gap(tokens)
                self.delta(index, {"type": "input_json_delta", "partial_json": piece})
                self.output_tokens += tokens
            return
        for burst in [raw] if raw is not None else _key_value_bursts(block.get("input", {})):
            self.now += self.timing.tool_pause * self.rng.uniform(0.6, 1.4)
            for piece in json_fragments(burst, self.rng):
                self.delta(index, {"type": "input_json_delta", "partial_json": piece})
                self.now += self.rng.uniform(0.004, 0.015)
            self.output_tokens += token_count(burst)

    def end(self) -> int:
        """message_delta and message_stop; returns the final output token count."""
        spec = self.spec
        output_tokens = int(spec.request["max_tokens"]) if spec.stop_reason == "max_tokens" else self.output_tokens
        usage = {k: v for k, v in _usage(spec, output_tokens).items() if k in _DELTA_USAGE}
        if self.thinking_tokens:
            usage["output_tokens_details"] = {"thinking_tokens": self.thinking_tokens}
        if self.hops:
            usage["iterations"] = self.iterations(output_tokens)
        delta: dict[str, Any] = {"stop_reason": spec.stop_reason, "stop_sequence": spec.stop_sequence}
        if spec.stop_details is not None:
            delta["stop_details"] = spec.stop_details
        self.writer.emit(self.now, {"type": "message_delta", "delta": delta, "usage": usage})
        self.writer.emit(self.now + self.rng.uniform(0.0005, 0.0015), {"type": "message_stop"})
        return output_tokens

    def iterations(self, output_tokens: int) -> list[dict[str, Any]]:
        """Usage per model: a ``message`` entry for each model that declined, then a ``fallback_message``
        for the model that served the answer (the last fallback block's ``to``)."""
        hops = [("message", declined, tokens) for declined, _, tokens in self.hops]
        hops.append(("fallback_message", self.hops[-1][1], output_tokens - sum(hop[2] for hop in self.hops)))
        cache = {"cache_read_input_tokens": 0, "cache_creation_input_tokens": 0}
        cache_creation = {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0}
        return [
            {
                "input_tokens": self.spec.input_tokens,
                "output_tokens": tokens,
                **cache,
                "cache_creation": cache_creation,
                "model": model,
                "type": kind,
            }
            for kind, model, tokens in hops
        ]


_DELTA_USAGE = ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "output_tokens")
_ERROR_TYPES = {429: "rate_limit_error", 500: "api_error", 529: "overloaded_error"}


def _failed_attempt(attempt: dict[str, Any], rng: random.Random) -> RecordedResponse:
    """An HTTP error before the stream opens, with the retry-after-ms the SDK honours."""
    status = int(attempt["status"])
    error_type = str(attempt.get("error_type", _ERROR_TYPES.get(status, "api_error")))
    request_id = _ident(rng, "req_011C", 20)
    body = {
        "type": "error",
        "error": {"type": error_type, "message": error_type.replace("_error", "").capitalize()},
        "request_id": request_id,
    }
    headers = {
        "content-type": "application/json",
        "request-id": request_id,
        "retry-after-ms": str(attempt.get("retry_after_ms", 20)),
        "x-should-retry": "true",
    }
    at = round(float(attempt.get("at", 0.25)), 4)
    return RecordedResponse(status, headers, at, [Chunk(at, json.dumps(body).encode("utf-8"))])


def synthesize(spec: Spec) -> list[Recording]:
    """The streaming recording for ``spec`` and, if asked, its non-streaming twin."""
    rng = random.Random(spec.seed)
    timing = spec.timing
    message_id = _ident(rng, "msg_01", 22)
    request_id = _ident(rng, "req_011C", 20)
    model = str(spec.request.get("model", ""))
    headers_at = timing.headers_after + rng.uniform(0, 0.05)
    composer = _Composer(spec, rng, headers_at + rng.uniform(0.005, 0.02))
    message: dict[str, Any] = {
        "model": model,
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": _usage(spec, rng.randint(1, 6)),
    }
    composer.writer.emit(composer.now, {"type": "message_start", "message": message})
    composer.now = max(composer.now + 0.01, timing.ttft - rng.uniform(0.01, 0.03))
    for index, block in enumerate(spec.blocks):
        composer.block(index, block)
    output_tokens = composer.end()

    provenance = {
        "source": "synthesized",
        "generator": GENERATOR,
        "spec": f"fixtures/specs/{spec.path.name}",
        "date": spec.date,
        "model": model,
        "note": spec.note or "Synthesized in the API's wire format; not a live capture.",
    }
    if spec.expect_sdk_error:
        provenance["expect_sdk_error"] = spec.expect_sdk_error
    stream_request = RecordedRequest("POST", "/v1/messages", {**spec.request, "stream": True})
    headers = {"content-type": "text/event-stream; charset=utf-8", "request-id": request_id, "cache-control": "no-cache"}
    streamed = RecordedResponse(200, headers, round(headers_at, 4), composer.writer.chunks())
    attempts = [Exchange(stream_request, _failed_attempt(attempt, rng)) for attempt in spec.failed_attempts]
    result = [Recording(provenance=provenance, exchanges=[*attempts, Exchange(stream_request, streamed)])]
    if spec.also_blocking:
        done = streamed.duration
        body = {
            **message,
            "content": composer.final_content,
            "stop_reason": spec.stop_reason,
            "stop_sequence": spec.stop_sequence,
            "usage": _usage(spec, output_tokens),
        }
        blocking_body = {k: v for k, v in spec.request.items() if k != "stream"}
        json_headers = {"content-type": "application/json", "request-id": _ident(rng, "req_011C", 20)}
        result.append(
            Recording(
                provenance={**provenance, "note": provenance["note"] + " Non-streaming twin of the same answer."},
                exchanges=[
                    Exchange(
                        RecordedRequest("POST", "/v1/messages", blocking_body),
                        RecordedResponse(
                            200,
                            json_headers,
                            round(done, 4),
                            [Chunk(round(done + 0.001, 4), json.dumps(body, ensure_ascii=False).encode("utf-8"))],
                        ),
                    )
                ],
            )
        )
    return result


def output_names(spec: Spec) -> list[str]:
    """File names ``synthesize`` writes for a spec, in the order it returns them."""
    return [f"{spec.name}.json"] + ([f"{spec.name}-blocking.json"] if spec.also_blocking else [])


def build_all(specs_dir: Path, out_dir: Path, write: bool = True) -> list[tuple[str, str]]:
    """Synthesize every spec; ``(file, what happened)`` for each output.

    A recording that was re-recorded live is kept: a real recording beats a synthesized one.
    """
    report = []
    for spec_path in sorted(specs_dir.glob("*.toml")):
        spec = load_spec(spec_path)
        for name, fresh in zip(output_names(spec), synthesize(spec), strict=True):
            target = out_dir / name
            if target.exists() and recording_file.load(target).source == "recorded":
                report.append((name, "kept (recorded live)"))
                continue
            text = recording_file.dumps(fresh)
            if target.exists() and target.read_text(encoding="utf-8") == text:
                report.append((name, "unchanged"))
                continue
            if write:
                recording_file.save(fresh, target)
            report.append((name, "written" if write else "differs"))
    return report

"""One place that removes secrets from anything that leaves the machine (support bundle, exports).

Why here and not at each writer: the cloud code keeps refresh tokens, client secrets and API keys
in the keyring and never logs them on purpose, but a support bundle gathers text the app does not
control line by line (the app log with httpx's request lines, console captures, journal details,
exception messages, settings). So everything that goes into a bundle passes through a
:class:`Redactor`, which knows the shapes secrets take there:

- ``Authorization: Bearer <token>`` / ``Basic <b64>`` / ``ApiKey <key>`` (what ``CloudAuth`` sends),
- ``key=value`` (form bodies and query strings: ``client_secret=``, ``code=``, ``refresh_token=``),
- ``"key": "value"`` and ``'key': 'value'`` (JSON bodies, Python reprs in tracebacks),
- ``key: value`` (header lines, prose such as ``password: hunter2``),
- JWT-looking strings (``eyJ...`` or three long base64url segments),
- and every secret the caller knows literally (``extra_secrets``: the tokens held in memory).

Files are redacted as streams (text line by line, binary by its literal secrets only), so a
large log is never held in memory. It errs on the side of hiding: losing an error code in a support bundle is cheap, a leaked
refresh token is not.
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import IO, Any

REDACTED = "[redacted]"

SECRET_KEYS: frozenset[str] = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "passphrase",
        "secret",
        "client_secret",
        "clientsecret",
        "api_key",
        "apikey",
        "api-key",
        "x-api-key",
        "token",
        "access_token",
        "accesstoken",
        "refresh_token",
        "refreshtoken",
        "id_token",
        "idtoken",
        "authorization",
        "proxy-authorization",
        "code_verifier",
        "codeverifier",
        "code",
        "cookie",
        "set-cookie",
        "private_key",
        "session",
        "sessionid",
        "credential",
        "credentials",
    }
)
# Keys that are secret whatever precedes these endings (``accessToken``, ``service_secret``).
_SECRET_ENDINGS = ("token", "secret", "password", "passwd", "apikey", "api_key")
# Header-like keys whose value runs to the end of the line (``Cookie: a=1; b=2``).
_HEADER_KEYS = ("authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key")
_NOT_VALUES = ("none", "null", "<hidden>", "bearer", "basic", "apikey")
_MIN_LITERAL = 4
_CHUNK = 1 << 16  # shorter "secrets" would shred ordinary text


def is_secret_key(key: object) -> bool:
    """Whether a mapping key names a secret (case-insensitive, ``-`` and ``_`` alike)."""
    name = str(key).strip().lower()
    if name in SECRET_KEYS or name.replace("-", "_") in SECRET_KEYS:
        return True
    return name.replace("-", "_").endswith(_SECRET_ENDINGS)


_KEY_ALTERNATIVES = "|".join(
    sorted((re.escape(k) for k in SECRET_KEYS if k != "code"), key=len, reverse=True)
)
_ENDING = r"[A-Za-z0-9_\-]*(?:token|secret|password|passwd|api_?key)"
_ANY_KEY = rf"(?:{_KEY_ALTERNATIVES}|{_ENDING}|code)"
_PROSE_KEY = rf"(?:{_KEY_ALTERNATIVES}|{_ENDING})"  # "code: 404" in prose is not a secret

_SCHEME = re.compile(r"(?i)\b(bearer|basic|apikey)(\s+|\s*:\s*)([A-Za-z0-9\-._~+/]+=*)")
_QUOTED = re.compile(
    rf"""(?i)(?<![A-Za-z0-9_\-])(["']?)({_ANY_KEY})\1(\s*[:=]\s*)(["'])((?:\\.|(?!\4).)*)\4"""
)
_HEADER = re.compile(
    rf"(?im)^(\s*(?:{'|'.join(re.escape(k) for k in _HEADER_KEYS)})\s*:\s*)(\S.*?)\s*$"
)
_ASSIGN = re.compile(rf"(?i)(?<![A-Za-z0-9_\-])({_ANY_KEY})(\s*=\s*)([^\s&,;\"'<>)}}\]]+)")
_COLON = re.compile(rf"(?i)(?<![A-Za-z0-9_\-])({_PROSE_KEY})(\s*:\s*)([^\s&,;\"'<>)}}\]]+)")
_JWT = re.compile(
    r"\beyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*"
    r"|\b[A-Za-z0-9_\-]{20,}\.[A-Za-z0-9_\-]{20,}\.[A-Za-z0-9_\-]{20,}\b"
)


def _looks_like_token(value: str) -> bool:
    """Tell ``Bearer abc123...`` from prose such as "Bearer tokens, not an API key"."""
    return len(value) >= 16 or any(c.isdigit() for c in value)


class Redactor:
    """Redacts text and JSON-like data, counting what it replaced (the bundle reports the count)."""

    def __init__(self, extra_secrets: Iterable[str] = ()) -> None:
        literals = {s for s in (str(x) for x in extra_secrets) if len(s.strip()) >= _MIN_LITERAL}
        # Longest first, so a secret that contains another is replaced whole.
        self.literals: tuple[str, ...] = tuple(sorted(literals, key=len, reverse=True))
        self.count = 0

    def text(self, text: str) -> str:
        """``text`` with every secret this module recognises replaced by ``[redacted]``."""
        for literal in self.literals:
            if literal in text:
                self.count += text.count(literal)
                text = text.replace(literal, REDACTED)
        text = _HEADER.sub(self._header, text)
        text = _SCHEME.sub(self._scheme, text)
        text = _QUOTED.sub(self._quoted, text)
        text = _ASSIGN.sub(self._pair, text)
        text = _COLON.sub(self._pair, text)
        return _JWT.sub(self._whole, text)

    def mapping(self, data: Any) -> Any:
        """A deep copy of ``data`` with secret keys' values replaced and every string scrubbed."""
        if isinstance(data, Mapping):
            out: dict[Any, Any] = {}
            for key, value in data.items():
                if is_secret_key(key) and value not in (None, "", [], {}):
                    self.count += 1
                    out[key] = REDACTED
                else:
                    out[key] = self.mapping(value)
            return out
        if isinstance(data, (list, tuple)):
            return [self.mapping(v) for v in data]
        if isinstance(data, str):
            return self.text(data)
        return copy.deepcopy(data)

    # -- substitutions ---------------------------------------------------------------------------
    def _header(self, m: re.Match[str]) -> str:
        if m.group(2) == REDACTED or _SCHEME.fullmatch(m.group(2)):
            return m.group(0)  # "Authorization: Bearer x" is left to the scheme rule
        self.count += 1
        return m.group(1) + REDACTED

    def _scheme(self, m: re.Match[str]) -> str:
        if not _looks_like_token(m.group(3)) or m.group(3) == REDACTED:
            return m.group(0)
        self.count += 1
        return f"{m.group(1)}{m.group(2)}{REDACTED}"

    def _quoted(self, m: re.Match[str]) -> str:
        value = m.group(5)
        if not value or REDACTED in value:
            return m.group(0)
        self.count += 1
        quote, key, sep, vq = m.group(1), m.group(2), m.group(3), m.group(4)
        return f"{quote}{key}{quote}{sep}{vq}{REDACTED}{vq}"

    def _pair(self, m: re.Match[str]) -> str:
        value = m.group(3)
        if value.startswith("[redacted") or value.lower() in _NOT_VALUES:
            return m.group(0)
        self.count += 1
        return f"{m.group(1)}{m.group(2)}{REDACTED}"

    def _whole(self, m: re.Match[str]) -> str:
        self.count += 1
        return REDACTED


def redact_mapping(data: Any, extra_secrets: Iterable[str] = ()) -> Any:
    """A deep copy of ``data`` with the values of secret keys replaced by ``[redacted]``."""
    return Redactor(extra_secrets).mapping(data)


def redact_text(text: str, extra_secrets: Iterable[str] = ()) -> str:
    """``text`` without tokens, secret ``key=value`` pairs, JWTs and the given literal secrets."""
    return Redactor(extra_secrets).text(text)


def is_binary(handle: IO[bytes]) -> bool:
    """Whether a file (from its current position) is bytes rather than UTF-8 text."""
    start = handle.tell()
    head = handle.read(8192)
    handle.seek(start)
    if b"\0" in head:
        return True
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start < len(head) - 4  # a multi-byte character cut at the end is still text
    return False


def redact_text_stream(handle: IO[bytes], redactor: Redactor) -> Iterator[bytes]:
    """A text file redacted line by line, as UTF-8 chunks: never the whole file in memory."""
    text = io.TextIOWrapper(handle, encoding="utf-8", errors="replace", newline="")
    batch: list[str] = []
    for line in text:
        batch.append(redactor.text(line))
        if len(batch) >= 512:
            yield "".join(batch).encode("utf-8")
            batch.clear()
    if batch:
        yield "".join(batch).encode("utf-8")
    text.detach()


def redact_binary_stream(handle: IO[bytes], redactor: Redactor) -> Iterator[bytes]:
    """Raw bytes with each known literal secret replaced (kept across chunk boundaries)."""
    secrets = [s.encode("utf-8") for s in redactor.literals]
    keep = max((len(s) for s in secrets), default=1) - 1
    pending = b""
    while chunk := handle.read(_CHUNK):
        pending += chunk
        for secret in secrets:
            redactor.count += pending.count(secret)
            pending = pending.replace(secret, b"[redacted]")
        cut = len(pending) - keep
        if cut > 0:
            yield pending[:cut]
            pending = pending[cut:]
    if pending:
        yield pending

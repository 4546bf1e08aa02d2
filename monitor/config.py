"""Load `config.yaml` once, at start, into typed settings.

A bad file stops the program with a `ConfigError` naming the key, the value and what was
expected. Secrets are written as `{$env: NAME}` and resolved here, once (the way Datasette's
`resolve_env_secrets` does), so nothing else in the program reads the environment for them.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from monitor.alerts.settings import AlertSettings
from monitor.inbox.urgency import UrgencyWeights
from monitor.query.parser import QuerySyntaxError, parse
from networks.secrets import mask
from sentiment.settings import SentimentSettings

DEFAULT_DB_URL = "sqlite:///nasluch.db"


class ConfigError(Exception):
    """A config file that cannot be used; the message is meant for the person who wrote it."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DatabaseSettings(Strict):
    url: str = DEFAULT_DB_URL


class BrandSettings(Strict):
    name: str = Field(min_length=1)
    queries: list[str] = Field(min_length=1)
    handles: list[str] = Field(default_factory=list, description="the brand's own accounts")
    complaints: list[str] = Field(default_factory=list, description="queries for complaint phrases (raise priority)")

    @field_validator("queries", "complaints")
    @classmethod
    def _queries_parse(cls, queries: list[str]) -> list[str]:
        for index, text in enumerate(queries):
            try:
                parse(text)
            except QuerySyntaxError as error:
                raise ValueError(f"query {index} {text!r}: {error}") from None
        return queries


class AgentSettings(Strict):
    name: str = Field(min_length=1)
    role: Literal["viewer", "agent", "admin"] = "agent"
    email: str | None = Field(None, description="how the identity provider (OIDC) names this person")
    password_hash: str | None = Field(None, description="argon2id hash from `nasluch user hash`; never a password")

    @field_validator("password_hash")
    @classmethod
    def _is_a_hash(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("$argon2id$"):
            raise ValueError("expected an argon2id hash such as `nasluch user hash` prints ($argon2id$...), "
                             "never a plain password")
        return value


class AuthSettings(Strict):
    """Dashboard sign-in. `required: false` is for a single-user machine only: everyone is admin."""

    required: bool = True
    oidc_provider: str | None = Field(None, description="a provider under [auth.<name>] in .streamlit/secrets.toml")


class PrivacySettings(Strict):
    retention_days: int | None = Field(None, gt=0, description="delete mentions older than this; None keeps all")
    redact_contacts: bool = Field(False, description="replace e-mail addresses and phone numbers at ingest")


class InboxSettings(Strict):
    max_open_per_agent: int = Field(25, gt=0, description="cap on open conversations one agent holds")
    teams: dict[str, list[str]] = Field(default_factory=dict, description="team name: agent names")
    urgency: UrgencyWeights = Field(default_factory=UrgencyWeights, description="the queue's order (see monitor.inbox.urgency)")


class Settings(Strict):
    timezone: str = "Europe/Warsaw"
    sla_minutes: int = Field(60, gt=0)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    brands: list[BrandSettings] = Field(default_factory=list)
    sources: list[dict[str, Any]] = Field(default_factory=list)
    responders: list[dict[str, Any]] = Field(default_factory=list)
    agents: list[AgentSettings] = Field(default_factory=list)
    sentiment: SentimentSettings = Field(default_factory=SentimentSettings)
    inbox: InboxSettings = Field(default_factory=InboxSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("expected an IANA time zone such as Europe/Warsaw") from None
        return name

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def brand_queries(self) -> dict[str, list[str]]:
        return {brand.name: list(brand.queries) for brand in self.brands}

    def priority_inputs(self) -> dict[str, Any]:
        """What priority needs from the config: the weights and every brand's complaint queries."""
        return {"weights": self.sentiment.priority,
                "complaint_queries": [query for brand in self.brands for query in brand.complaints]}


@dataclass(frozen=True)
class Unconfigured:
    """A source whose secret is missing from the environment: reported, never a crash."""

    name: str
    type: str
    reason: str


class _MissingSecret:
    def __init__(self, variable: str) -> None:
        self.variable = variable


def resolve_secrets(value: Any, environ: dict[str, str] | None = None) -> Any:
    """Replace every `{"$env": NAME}` with the variable's value (a `_MissingSecret` if unset)."""
    environ = os.environ if environ is None else environ
    if isinstance(value, dict):
        if set(value) == {"$env"}:
            name = value["$env"]
            return environ[name] if name in environ else _MissingSecret(str(name))
        return {key: resolve_secrets(item, environ) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve_secrets(item, environ) for item in value]
    return value


def secret_values(raw: Any, environ: dict[str, str] | None = None) -> list[str]:
    """The values every `{"$env": NAME}` in the raw config resolves to: what must never be shown."""
    environ = os.environ if environ is None else environ
    if isinstance(raw, dict):
        if set(raw) == {"$env"}:
            value = environ.get(str(raw["$env"]))
            return [value] if value else []
        return [found for item in raw.values() for found in secret_values(item, environ)]
    if isinstance(raw, list):
        return [found for item in raw for found in secret_values(item, environ)]
    return []


def _missing(value: Any) -> list[str]:
    if isinstance(value, _MissingSecret):
        return [value.variable]
    if isinstance(value, dict):
        return [name for item in value.values() for name in _missing(item)]
    if isinstance(value, list):
        return [name for item in value for name in _missing(item)]
    return []


def _key_part(part: Any) -> str:
    """A key as the person typed it; a blank or odd one quoted, so the message still names it."""
    text = str(part)
    return text if isinstance(part, int) or text.replace("_", "").replace("-", "").isalnum() else repr(text)


def _describe(error: ValidationError, prefix: str = "") -> str:
    lines = []
    for item in error.errors():
        key = prefix + ".".join(_key_part(part) for part in item["loc"])
        shown = mask(repr(item.get("input")))
        if len(shown) > 80:
            shown = shown[:77] + "..."
        message = item["msg"].removeprefix("Value error, ")
        lines.append(f"{key or '(top level)'}: got {shown}: {message}")
    return "; ".join(lines)


@dataclass
class Config:
    """Validated settings plus the typed source settings and the sources left out."""

    settings: Settings
    sources: list[Any]
    unconfigured: list[Unconfigured]
    path: Path | None = None
    responders: list[Any] = field(default_factory=list)
    unconfigured_responders: list[Unconfigured] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list, repr=False)


def _typed_settings(section: str, key: str, index: int, raw: dict[str, Any], registry: dict[str, Any]) -> Any:
    """Validate one `sources:` or `responders:` entry with the settings model its type names."""
    kind = raw.get(key)
    if kind not in registry:
        expected = ", ".join(sorted(registry))
        raise ConfigError(f"{section}[{index}].{key}: got {kind!r}: expected one of {expected}")
    try:
        return registry[kind].Settings.model_validate(raw)
    except ValidationError as error:
        raise ConfigError(_describe(error, f"{section}[{index}].")) from None


def _source_settings(index: int, raw: dict[str, Any]) -> Any:
    from collectors import REGISTRY

    return _typed_settings("sources", "type", index, raw, REGISTRY)


def _responder_settings(index: int, raw: dict[str, Any]) -> Any:
    from responders import REGISTRY

    return _typed_settings("responders", "network", index, raw, REGISTRY)


def _responders(resolved: dict[str, Any]) -> tuple[list[Any], list[Unconfigured]]:
    """Typed responder settings; one whose secret is unset is left out and reported, so its
    network falls back to "copy and open" instead of stopping the program."""
    entries = resolved.get("responders") or []
    if not isinstance(entries, list):
        raise ConfigError(f"responders: got {entries!r}: expected a list of responders")
    typed, unconfigured = [], []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise ConfigError(f"responders[{index}]: got {entry!r}: expected a mapping with a network")
        variables = [f"${name}" for name in _missing(entry)]
        settings = _responder_settings(index, {k: (None if isinstance(v, _MissingSecret) else v)
                                               for k, v in entry.items()})
        missing = variables or settings.missing_credentials()
        if missing:
            reason = "not configured: set " + ", ".join(sorted(set(missing)))
            unconfigured.append(Unconfigured(settings.name, settings.network, reason))
        else:
            typed.append(settings)
    return typed, unconfigured


def build(raw: Any, environ: dict[str, str] | None = None, path: Path | None = None) -> Config:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"(top level): got {type(raw).__name__}: expected a mapping of keys")
    from networks.secrets import register_secrets

    secrets = secret_values(raw, environ)
    register_secrets(secrets)  # from here on, log records, errors and stored failures mask them
    resolved = resolve_secrets(raw, environ)
    try:
        settings = Settings.model_validate({k: v for k, v in resolved.items() if k not in ("sources", "responders")}
                                           | {"sources": [], "responders": []})
    except ValidationError as error:
        raise ConfigError(_describe(error)) from None
    sources_raw = resolved.get("sources") or []
    if not isinstance(sources_raw, list):
        raise ConfigError(f"sources: got {sources_raw!r}: expected a list of sources")
    sources, unconfigured, names = [], [], set()
    for index, source in enumerate(sources_raw):
        if not isinstance(source, dict):
            raise ConfigError(f"sources[{index}]: got {source!r}: expected a mapping with a type")
        name = source.get("name") or source.get("type")
        if name in names:
            raise ConfigError(f"sources[{index}].name: got {name!r}: expected a name no other source has")
        names.add(name)
        missing = _missing(source)
        if missing:
            reason = "not configured: set " + ", ".join(sorted(set(missing)))
            unconfigured.append(Unconfigured(str(name), str(source.get("type")), reason))
            continue
        sources.append(_source_settings(index, {"name": name, **source}))
    responders, unconfigured_responders = _responders(resolved)
    return Config(settings=settings, sources=sources, unconfigured=unconfigured, path=path,
                  responders=responders, unconfigured_responders=unconfigured_responders, secrets=secrets)


def config_path(environ: dict[str, str] | None = None) -> str:
    """The config file when none is named on the command line: $NASLUCH_CONFIG, else config.yaml."""
    return (os.environ if environ is None else environ).get("NASLUCH_CONFIG") or "config.yaml"


def database_url(config: Config | None, given: str | None = None, environ: dict[str, str] | None = None) -> str:
    """The database, decided one way for the command line and the dashboard: `--db` (`given`),
    else $NASLUCH_DB, else the config's `database.url`, else sqlite:///nasluch.db."""
    environ = os.environ if environ is None else environ
    configured = config.settings.database.url if config is not None else None
    return given or environ.get("NASLUCH_DB") or configured or DEFAULT_DB_URL


def load(path: str | Path | None, environ: dict[str, str] | None = None) -> Config:
    """Read and validate a config file; a missing file means an empty, default config."""
    if path is None or not Path(path).exists():
        return build({}, environ)
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}: not valid YAML{where}: {getattr(error, 'problem', error)}") from None
    return build(raw, environ, path)


STARTER = """\
# Nasłuch configuration. Secrets are never written here: use {$env: VARIABLE}.
timezone: Europe/Warsaw          # every weekday/hour figure uses it
sla_minutes: 60                  # first-response target
database: {url: "sqlite:///nasluch.db"}
brands:
  - name: Acme
    queries:
      - 'acme OR acmeapp OR "acme shop"'
      - '"nie działa" (acme OR acmeapp)'
sources:
  - {type: hackernews, name: hn, every: 10m}
agents:
  - {name: Ola, role: agent}
"""

"""Facts from the files around the code: packaging manifests, lockfiles, tool
configuration, pre-commit, CI workflows and Promptfoo evals.

Each extractor is a pure function of the file's path and bytes. TOML is read with
`tomllib` (so `[tool.uv-dynamic-versioning]` is not `[tool.uv]`), YAML only with the safe
composer (nodes carry their line numbers; no tags construct objects), requirements with
`packaging`. Which product a sign belongs to is format knowledge kept here; who makes
and owns that product is in the rule packs.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import yaml
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from auditor.assistants import assistant_product
from auditor.catalog import Detectors, host_matches
from auditor.extract.literals import endpoint, model_family
from auditor.facts import DependencyFact, EnvFact, ErrorFact, Fact, Location, StringFact, ToolFact
from auditor.limits import LimitError, load_json, load_toml
from auditor.redact import redact_url
from auditor.safe_yaml import SafeLoader, yaml_problem

# Promptfoo provider id segments naming an API style, not a model: `openai:chat:gpt-4o`.
PROMPTFOO_API_STYLES = frozenset({"chat", "responses", "completion", "messages", "embedding", "embeddings"})


def extract_pyproject(path: str, data: bytes, detectors: Detectors | None = None) -> list[Fact]:
    text, document = _toml(path, data)
    if document is None:
        return [text]
    facts: list[Fact] = []
    tool = _table(document, "tool")
    uv = tool.get("uv")
    if isinstance(uv, dict):
        facts.append(
            ToolFact(_at(path, text, r"^[ \t]*\[\[?[ \t]*tool\.uv[ \t]*[\].]"), "uv", "uv-settings", "[tool.uv]")
        )
        for key, label in (("sources", "[tool.uv.sources]"), ("workspace", "[tool.uv.workspace]")):
            if key in uv:
                facts.append(
                    ToolFact(
                        _at(path, text, rf"^[ \t]*\[[ \t]*tool\.uv\.{key}\b|^[ \t]*{key}[ \t]*="),
                        "uv",
                        f"uv-{key}",
                        label,
                    )
                )
        indexes = uv.get("index", [])
        for index in indexes if isinstance(indexes, list) else []:
            url = index.get("url", "") if isinstance(index, dict) else ""
            product = _index_product(url, detectors) if isinstance(url, str) else None
            if product is not None:
                facts.append(ToolFact(_at(path, text, re.escape(url)), product, "pyx-index", "[[tool.uv.index]]", url))
        facts.extend(_requirements(path, text, uv.get("dev-dependencies"), "pyproject", "dev"))
    for name, product in (("ruff", "ruff"), ("ty", "ty")):
        if isinstance(tool.get(name), dict):
            facts.append(
                ToolFact(
                    _at(path, text, rf"^[ \t]*\[\[?[ \t]*tool\.{name}[ \t]*[\].]"),
                    product,
                    "tool-settings",
                    f"[tool.{name}]",
                )
            )
    build = _table(document, "build-system")
    requires = build.get("requires", [])
    if build.get("build-backend") == "uv_build" or any(
        isinstance(r, str) and r.startswith("uv_build") for r in requires
    ):
        facts.append(ToolFact(_at(path, text, r"uv_build"), "uv", "uv-build-backend", "build-backend uv_build"))
    poetry = _table(tool, "poetry")
    for table, group in ((poetry.get("dependencies"), "main"), (poetry.get("dev-dependencies"), "dev")):
        for name, constraint in table.items() if isinstance(table, dict) else []:
            if name.lower() != "python":
                version = (
                    constraint
                    if isinstance(constraint, str)
                    else (constraint.get("version") if isinstance(constraint, dict) else None)
                )
                facts.append(
                    DependencyFact(
                        _at(path, text, rf"^[ \t]*\"?{re.escape(name)}\"?[ \t]*="),
                        canonicalize_name(name),
                        "pyproject",
                        group,
                        version if isinstance(version, str) else None,
                    )
                )
    project = _table(document, "project")
    facts.extend(_requirements(path, text, project.get("dependencies"), "pyproject", "main"))
    optional = project.get("optional-dependencies")
    for extra, items in optional.items() if isinstance(optional, dict) else []:
        facts.extend(_requirements(path, text, items, "pyproject", f"optional:{extra}"))
    groups = document.get("dependency-groups")
    for group, items in groups.items() if isinstance(groups, dict) else []:
        facts.extend(
            _requirements(
                path,
                text,
                [i for i in items if isinstance(i, str)] if isinstance(items, list) else items,
                "pyproject",
                f"group:{group}",
            )
        )
    return facts


def extract_uv_lock(path: str, data: bytes, detectors: Detectors | None = None) -> list[Fact]:
    facts = _lock(path, data, "package", "uv.lock", _listed_names)
    if any(isinstance(fact, ErrorFact) for fact in facts):
        return facts
    return [ToolFact(Location(path, 1, 1), "uv", "uv-lock", "uv.lock"), *facts]


def extract_pylock(path: str, data: bytes, detectors: Detectors | None = None) -> list[Fact]:
    """PEP 751 `pylock.toml`: the standard lock format, readable by pip and uv alike."""
    return _lock(path, data, "packages", "pylock", _listed_names)


def extract_poetry_lock(path: str, data: bytes, detectors: Detectors | None = None) -> list[Fact]:
    return _lock(
        path,
        data,
        "package",
        "poetry.lock",
        lambda dependencies: dependencies.keys() if isinstance(dependencies, dict) else (),
    )


def _lock(path: str, data: bytes, table: str, source: str, names: Any) -> list[Fact]:
    """Every locked package with its version and the distributions it pulls in; `names` reads
    a package's `dependencies` in that lock format. The project itself is not its own dependency."""
    text, document = _toml(path, data)
    if document is None:
        return [text]
    facts: list[Fact] = []
    lines = _package_lines(text)
    packages = document.get(table, [])
    for package in packages if isinstance(packages, list) else []:
        if not isinstance(package, dict) or not isinstance(package.get("name"), str):
            continue
        origin = package.get("source")
        if isinstance(origin, dict) and (origin.get("editable") == "." or origin.get("virtual") == "."):
            continue
        requires = tuple(sorted({canonicalize_name(n) for n in names(package.get("dependencies", []))}))
        facts.append(
            DependencyFact(
                Location(path, lines.get(package["name"], 1), 1),
                canonicalize_name(package["name"]),
                source,
                "locked",
                version=str(package.get("version") or "") or None,
                requires=requires,
            )
        )
    return facts


def _listed_names(dependencies: Any) -> Iterator[str]:
    """`dependencies = [{ name = "openai" }, …]`, as uv.lock and pylock.toml write them."""
    for entry in dependencies if isinstance(dependencies, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            yield entry["name"]


def extract_setup_cfg(path: str, data: bytes, detectors: Detectors | None = None) -> list[Fact]:
    """`[options] install_requires` and `[options.extras_require]` of a setup.cfg."""
    import configparser

    text = data.decode("utf-8", errors="replace")
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        return [ErrorFact(Location(path, 1, 1), "invalid setup.cfg", str(exc).splitlines()[0])]
    facts: list[Fact] = []
    if parser.has_option("options", "install_requires"):
        lines = [line.strip() for line in parser.get("options", "install_requires").splitlines() if line.strip()]
        facts.extend(_requirements(path, text, lines, "setup.cfg", "main"))
    if parser.has_section("options.extras_require"):
        for extra, value in parser.items("options.extras_require"):
            lines = [line.strip() for line in value.splitlines() if line.strip()]
            facts.extend(_requirements(path, text, lines, "setup.cfg", f"optional:{extra}"))
    return facts


def extract_env_file(path: str, data: bytes, detectors: Detectors | None = None) -> list[Fact]:
    """`.env` files: which provider variables are set. Values are never kept (they are secrets)."""
    facts: list[Fact] = []
    for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), start=1):
        match = re.match(r"^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=", line)
        if match:
            facts.append(EnvFact(Location(path, number, match.start(1) + 1), match.group(1), "set"))
    return facts


def extract_build_script(path: str, data: bytes, detectors: Detectors | None = None) -> list[Fact]:
    """Dockerfiles, Makefiles, tox.ini and noxfile.py (besides its Python): the commands that run a
    tool and the packs' `build_signs` (`ghcr.io/astral-sh/uv`, `requires = tox-uv`)."""
    text = data.decode("utf-8", errors="replace")
    facts: list[Fact] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#"):  # a comment: a command written there does not run
            continue
        where = Location(path, number, 1)
        for signal, pattern, label, product in detectors.build_signs if detectors else ():
            if pattern.search(line):
                facts.append(ToolFact(where, product, signal, label))
        for pattern, product in detectors.commands if detectors else ():
            match = pattern.search(line)
            if match:
                facts.append(ToolFact(where, product, "command", f"command: {match.group(0).strip()}"))
    return facts


# Instruction files that configure one vendor's coding assistant, by the product they belong to.
def extract_assistant_file(path: str, data: bytes, detectors: Detectors | None = None) -> list[Fact]:
    product = assistant_product(path)
    return [ToolFact(Location(path, 1, 1), product, "assistant-file", path.rsplit("/", 1)[-1])] if product else []


# Keys under which a configuration value names a model, or an endpoint.
_MODEL_KEY = re.compile(r"(?i)model|deployment|engine|llm")
_URL_VALUE = re.compile(r"^(?:https?|wss?)://")


def extract_app_config(path: str, data: bytes, detectors: Detectors | None = None) -> list[Fact]:
    """Application configuration (YAML, JSON, TOML): values that are model ids (under a
    model-ish key, such as a LiteLLM proxy's `litellm_params.model`) or vendor endpoints."""
    if detectors is None:
        return []
    if path.endswith(".toml"):
        text, document = _toml(path, data)
        if document is None:
            return [text]
        pairs = list(_toml_pairs(document))
        return [fact for key, value in pairs for fact in _config_value(path, text, key, value, None, detectors)]
    root = _yaml(path, data, documents=True)
    if isinstance(root, ErrorFact) and path.endswith(".json"):
        try:  # valid JSON that YAML rejects (tabs, some escapes), or JSON with comments (tsconfig.json)
            text = data.decode("utf-8-sig")
            try:
                document = load_json(text)
            except ValueError:
                text = _without_json_comments(text)
                document = load_json(text)
            return [
                fact
                for key, value in _toml_pairs(document)
                for fact in _config_value(path, text, key, value, None, detectors)
            ]
        except ValueError:  # invalid, or too large or deep (LimitError): the YAML error stands
            return [root]
    if isinstance(root, ErrorFact):
        return [root]
    facts: list[Fact] = []
    for key, value in _mapping_pairs(root):
        name, scalar = _scalar(key), _scalar(value)
        if name is not None and scalar is not None and isinstance(value, yaml.ScalarNode):
            facts.extend(_config_value(path, "", name, scalar, value, detectors))
    return facts


def _toml_pairs(document: Any) -> Iterator[tuple[str, str]]:
    """String values with the dotted path of keys above them (`model.name` for a name inside a
    `model` block, which says what the value is)."""
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        prefix, current = stack.pop()
        if isinstance(current, dict):
            for key, value in current.items():
                path = f"{prefix}.{key}" if prefix else str(key)
                if isinstance(value, str):
                    yield path, value
                else:
                    stack.append((path, value))
        elif isinstance(current, list):
            stack.extend((prefix, item) for item in current)


def _config_value(path: str, text: str, key: str, value: str, node: Any, detectors: Detectors) -> Iterator[Fact]:
    loc = _node_loc(path, node) if node is not None else _at(path, text, re.escape(value))
    if _URL_VALUE.match(value):
        url = endpoint(value, detectors.hosts)
        if url is not None:
            yield StringFact(loc, "endpoint", url, context=key)
    elif _MODEL_KEY.search(key) and len(value) <= 200:
        found = model_family(value, detectors)
        if found is not None:
            yield StringFact(loc, "model-id", value, family=found[0], routed_via=found[2], context=key)


def extract_package_json(path: str, data: bytes, detectors: Detectors | None = None) -> list[Fact]:
    """package.json: a `promptfoo` dependency (the eval CLI is an npm package)."""
    root = _yaml(path, data)
    if isinstance(root, ErrorFact):
        return [root]
    facts: list[Fact] = []
    for section in ("dependencies", "devDependencies"):
        entry = _get(_get(root, section), "promptfoo")
        if entry is not None:
            facts.append(
                ToolFact(_node_loc(path, entry), "promptfoo", "package-json", f"package.json {section}", _scalar(entry))
            )
    return facts


def extract_ci_config(path: str, data: bytes, detectors: Detectors | None = None) -> list[Fact]:
    """GitLab CI and Azure Pipelines files: the CI service itself, and the tools its scripts run."""
    product = "gitlab-ci" if path.endswith(".gitlab-ci.yml") else "azure-pipelines"
    facts: list[Fact] = [ToolFact(Location(path, 1, 1), product, "ci-config", path.rsplit("/", 1)[-1])]
    facts.extend(f for f in extract_build_script(path, data, detectors) if isinstance(f, ToolFact))
    facts.extend(extract_app_config(path, data, detectors))
    return facts


def extract_terraform(path: str, data: bytes, detectors: Detectors | None = None) -> list[Fact]:
    """Terraform files declaring AI services (Azure OpenAI accounts and deployments, Bedrock,
    Vertex AI), read with a real HCL parser; model ids in their attributes too."""

    import hcl2

    try:
        text = data.decode("utf-8")
        document = hcl2.loads(text)
    except Exception as exc:  # the parser raises its own error types for bad HCL
        return [ErrorFact(Location(path, 1, 1), "invalid HCL", str(exc).splitlines()[0] if str(exc) else "")]
    if detectors is None:
        return []
    facts: list[Fact] = []
    for block in document.get("resource", []) if isinstance(document, dict) else []:
        for raw_type, instances in block.items() if isinstance(block, dict) else []:
            kind = raw_type.strip('"')
            product = next((p for glob, p in detectors.terraform if fnmatch.fnmatchcase(kind, glob)), None)
            for raw_name, attributes in instances.items() if isinstance(instances, dict) else []:
                name = raw_name.strip('"')
                loc = _at(path, text, rf'^[ \t]*resource[ \t]+"{re.escape(kind)}"[ \t]+"{re.escape(name)}"')
                if product is not None:
                    facts.append(ToolFact(loc, product, "terraform-resource", f'resource "{kind}"', name))
                for key, value in _toml_pairs(attributes):
                    facts.extend(_config_value(path, text, key, value.strip('"'), None, detectors))
    return facts


def extract_tool_file(path: str, data: bytes, detectors: Detectors | None = None) -> list[Fact]:
    """`uv.toml`, `ruff.toml`/`.ruff.toml`, `ty.toml`: the file itself is the sign."""
    text, document = _toml(path, data)
    if document is None:
        return [text]
    name = path.rsplit("/", 1)[-1]
    products = [product for file, product in detectors.tool_files if file == name] if detectors else []
    return [ToolFact(Location(path, 1, 1), product, "tool-file", name) for product in products[:1]]


def extract_requirements(path: str, data: bytes, detectors: Detectors | None = None) -> list[Fact]:
    """A pip requirements file as pip reads it: continuation lines joined, comments dropped,
    per-requirement options (`--hash=…`, as `pip-compile --generate-hashes` and `uv export`
    write them) set aside, environment markers kept, names taken from editable installs and
    URLs where they say one. Includes (`-r`, `-c`) and global options are not requirements."""
    text = data.decode("utf-8", errors="replace")
    facts: list[Fact] = []
    group = path.rsplit("/", 1)[-1]
    for number, line in _logical_lines(text):
        requirement, problem = _requirement_line(line)
        if problem is not None:
            facts.append(
                ErrorFact(Location(path, number, 1), "invalid requirement", f"line {number}: {problem}", partial=True)
            )
        elif requirement is not None:
            name, specifier = requirement
            facts.append(
                DependencyFact(Location(path, number, 1), canonicalize_name(name), "requirements", group, specifier)
            )
    return facts


_REQUIREMENT_COMMENT = re.compile(r"(^|\s)#.*$")
_OPTION_START = re.compile(r"\s+(?=--?[A-Za-z])")  # where a requirement's own options begin
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_ARCHIVE = re.compile(r"/([A-Za-z0-9][A-Za-z0-9._]*?)-\d[^/]*\.(?:whl|tar\.gz|zip|tar\.bz2)$")
_EDITABLE = ("-e", "--editable")


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, text) of each logical line: `\\` at the end continues it, and a
    comment ends it (pip drops comments first, so a comment line ends a continuation)."""
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _REQUIREMENT_COMMENT.sub("", raw).rstrip()
        if not pending:
            start = number
        if line.endswith("\\"):
            pending.append(line[:-1])
            continue
        pending.append(line)
        joined = " ".join(part.strip() for part in pending).strip()
        pending = []
        if joined:
            yield start, joined
    if pending and (joined := " ".join(part.strip() for part in pending).strip()):
        yield start, joined


def _requirement_line(line: str) -> tuple[tuple[str, str | None] | None, str | None]:
    """((name, specifier) or None, problem or None) for one logical line."""
    if line.startswith(_EDITABLE):
        target = line.split(None, 1)[1] if " " in line else line.partition("=")[2]
        egg = _EGG.search(target)
        return ((egg.group(1), None) if egg else None), None  # a local editable project names itself elsewhere
    if line.startswith("-"):
        return None, None  # -r/-c includes, index and find-links options
    requirement_text = _OPTION_START.split(line, 1)[0]
    named = "@" in requirement_text.split("://", 1)[0]  # PEP 508: `name @ url`
    if "://" in requirement_text and not named:
        found = _EGG.search(requirement_text) or _ARCHIVE.search(requirement_text.split("#", 1)[0])
        return ((found.group(1), None) if found else None), None  # a bare URL: named by its egg or file
    if not named and (
        requirement_text.startswith((".", "/")) or requirement_text.endswith((".whl", ".tar.gz", ".zip"))
    ):
        return None, None  # a local path: the project it names is declared in its own manifest
    try:
        requirement = Requirement(requirement_text)
    except InvalidRequirement as exc:
        return None, str(exc)
    return (requirement.name, str(requirement.specifier) or None), None


def extract_pre_commit(path: str, data: bytes, detectors: Detectors | None = None) -> list[Fact]:
    root = _yaml(path, data)
    if isinstance(root, ErrorFact):
        return [root]
    facts: list[Fact] = []
    for repo in _items(_get(root, "repos")):
        url = _scalar(_get(repo, "repo")) or ""
        for slug, product in detectors.pre_commit_repos if detectors else ():
            if url.rstrip("/").endswith(slug):
                facts.append(ToolFact(_node_loc(path, _get(repo, "repo")), product, "pre-commit-repo", f"repo: {slug}"))
        if url == "local":
            for hook in _items(_get(repo, "hooks")):
                command = " ".join(
                    filter(None, [_scalar(_get(hook, "entry")), *(_scalar(a) for a in _items(_get(hook, "args")))])
                )
                facts.extend(_commands(path, _get(hook, "entry") or hook, command, "local hook", detectors))
    return facts


def extract_workflow(path: str, data: bytes, detectors: Detectors | None = None) -> list[Fact]:
    root = _yaml(path, data)
    if isinstance(root, ErrorFact):
        return [root]
    facts: list[Fact] = [ToolFact(Location(path, 1, 1), "github-actions", "workflow", "workflow")]
    for key, value in _mapping_pairs(root):
        name = _scalar(key)
        if name == "uses":
            action = (_scalar(value) or "").split("@", 1)
            for slug, product in detectors.actions if detectors else ():
                if action[0].lower() == slug:
                    ref = action[1] if len(action) > 1 else None
                    if slug == "astral-sh/setup-uv" and _mirror_disabled(root, value):
                        # Which releases honour the opt-out is the rule's to say (rules/astral.yaml).
                        ref = f"{ref} download-from-astral-mirror=false"
                    facts.append(ToolFact(_node_loc(path, value), product, "action", f"uses: {slug}", ref))
        elif name == "run":
            facts.extend(_commands(path, value, _scalar(value) or "", "run", detectors))
    return sorted(facts, key=lambda f: (f.loc.line, f.loc.column))


def _mirror_disabled(root: Any, uses: Any) -> bool:
    """Whether the step holding this `uses:` sets `download-from-astral-mirror: false`."""
    for step in _steps_holding(root, uses):
        setting = _scalar(_get(_get(step, "with"), "download-from-astral-mirror"))
        return (setting or "").lower() == "false"
    return False


def _steps_holding(root: Any, node: Any) -> Iterator[Any]:
    stack = [root]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            if any(value is node for _, value in current.value):
                yield current
                return
            stack.extend(value for _, value in current.value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)


def extract_promptfoo(path: str, data: bytes, detectors: Detectors | None = None) -> list[Fact]:
    root = _json_as_node(path, data) if path.endswith(".json") else _yaml(path, data)
    if isinstance(root, ErrorFact):
        return [root]
    facts: list[Fact] = [ToolFact(Location(path, 1, 1), "promptfoo", "promptfoo-config", "promptfoo config")]
    for provider in [*_items(_get(root, "providers")), *_items(_get(root, "targets"))]:
        facts.extend(_provider(path, provider, "provider", detectors))
    default_options = _get(_get(root, "defaultTest"), "options")
    default_grader = _get(default_options, "provider")
    if default_grader is not None:
        facts.extend(_provider(path, default_grader, "grader", detectors))
    tests = [*_items(_get(root, "tests")), _get(root, "defaultTest")]
    for test in tests:
        test_grader = _get(_get(test, "options"), "provider")
        for assertion in _items(_get(test, "assert")):
            kind = (_scalar(_get(assertion, "type")) or "").removeprefix("not-")
            grader = _get(assertion, "provider")
            if grader is not None:
                facts.extend(_provider(path, grader, "grader", detectors))
            elif kind and default_grader is None and test_grader is None:
                # Whether this type is graded by a model is the packs' to say (a hidden default).
                facts.append(
                    ToolFact(_node_loc(path, _get(assertion, "type")), "promptfoo", "ungraded-assertion", kind, kind)
                )
    return facts


def extract_mcp_config(path: str, data: bytes, detectors: Detectors | None = None) -> list[Fact]:
    """An MCP server configuration: each server the project wires in, run locally (`command`)
    or hosted (`url`), and a hosted server's endpoint when it is a vendor's. Arguments,
    headers and `env` values are not kept: they hold tokens."""
    root = _json_as_node(path, data)
    if isinstance(root, ErrorFact):
        return [root]
    facts: list[Fact] = []
    for section in ("mcpServers", "servers"):  # Claude Code and Cursor; VS Code
        for key, server in _pairs(_get(root, section)):
            name = _scalar(key)
            url_node = next((n for n in (_get(server, "url"), _get(server, "serverUrl")) if _scalar(n)), None)
            url, command = _scalar(url_node), _scalar(_get(server, "command"))
            if not name or not (url or command):
                continue
            where = _node_loc(path, key)
            if url:
                facts.append(
                    ToolFact(
                        where, "mcp", "mcp-server", f"mcp server {name}", f"hosted: {redact_url(url) or '(not a URL)'}"
                    )
                )
                if detectors is not None and (reached := endpoint(url, detectors.hosts)) is not None:
                    facts.append(
                        StringFact(_node_loc(path, url_node), "endpoint", reached, context=f"{section}.{name}.url")
                    )
            else:
                package = next(
                    (
                        a
                        for a in map(_scalar, _items(_get(server, "args")))
                        if a and not a.startswith("-") and "=" not in a
                    ),
                    None,
                )
                run = f"{command} {package}" if package else command
                facts.append(ToolFact(where, "mcp", "mcp-server", f"mcp server {name}", f"local: {run}"))
    return facts


# -- helpers ---------------------------------------------------------------------------------


def _table(document: dict[str, Any], key: str) -> dict[str, Any]:
    """`document[key]` if it is a table, else an empty one."""
    value = document.get(key)
    return value if isinstance(value, dict) else {}


def _toml(path: str, data: bytes) -> tuple[Any, dict[str, Any] | None]:
    try:
        text = data.decode("utf-8")
        return text, load_toml(text)  # size and nesting bounded before the parser recurses
    except LimitError as exc:
        return ErrorFact(Location(path, 1, 1), "not parsed", str(exc).removeprefix(f"{path}: ")), None
    except ValueError as exc:  # tomllib.TOMLDecodeError, UnicodeDecodeError
        return ErrorFact(Location(path, 1, 1), "invalid TOML", str(exc)), None


_NAME_LINE = re.compile(r'^name[ \t]*=[ \t]*"([^"]+)"', re.MULTILINE)


def _package_lines(text: str) -> dict[str, int]:
    """The line of each `name = "…"` in a lock file, found in one pass (locks are long)."""
    lines: dict[str, int] = {}
    position, line = 0, 1
    for match in _NAME_LINE.finditer(text):
        line += text.count("\n", position, match.start())
        position = match.start()
        lines.setdefault(match.group(1), line)
    return lines


def _index_product(url: str, detectors: Detectors | None) -> str | None:
    """The product serving the package index at `url` (pyx), by the packs' `index_hosts`."""
    host = (urlsplit(url.strip()).hostname or "").lower()
    hosts = detectors.index_hosts if detectors else ()
    return next((product for glob, product in hosts if host_matches(host, glob)), None)


def _at(path: str, text: str, pattern: str) -> Location:
    """The first line matching `pattern` (TOML parsers keep no positions)."""
    match = re.search(pattern, text, re.MULTILINE)
    line = text.count("\n", 0, match.start()) + 1 if match else 1
    return Location(path, line, 1)


def _requirements(path: str, text: str, items: Any, source: str, group: str) -> Iterator[Fact]:
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, str):
            continue
        loc = _at(path, text, re.escape(json.dumps(item)[1:-1]))
        try:
            requirement = Requirement(item)
        except InvalidRequirement as exc:
            yield ErrorFact(loc, "invalid requirement", f"{item!r}: {exc}", partial=True)
            continue
        yield DependencyFact(
            loc, canonicalize_name(requirement.name), source, group, str(requirement.specifier) or None
        )


def _yaml(path: str, data: bytes, documents: bool = False) -> yaml.Node | ErrorFact:
    """The YAML document as nodes with positions, composed by the safe loader (no objects built).
    With `documents`, a stream of several (`---` between them) is read as a sequence of them."""
    invalid = "invalid JSON" if path.endswith(".json") else "invalid YAML"  # JSON is read as YAML
    try:
        text = data.decode("utf-8-sig")
        depth = _bracket_depth(text)
        if depth > MAX_YAML_DEPTH:  # the same answer with or without libyaml, before either recurses
            return ErrorFact(Location(path, 1, 1), invalid, f"nested more than {MAX_YAML_DEPTH} levels deep")
        if documents and not path.endswith(".json"):
            nodes = [n for n in yaml.compose_all(text, Loader=SafeLoader) if n is not None]
            node = nodes[0] if len(nodes) == 1 else yaml.SequenceNode("tag:yaml.org,2002:seq", nodes) if nodes else None
        else:
            node = yaml.compose(text, Loader=SafeLoader)
    except (UnicodeDecodeError, yaml.YAMLError, RecursionError) as exc:
        return ErrorFact(Location(path, 1, 1), invalid, str(exc).splitlines()[0] if str(exc) else "")
    if node is None:
        return yaml.MappingNode("tag:yaml.org,2002:map", [])
    problem = yaml_problem(node)
    if problem is not None:
        return ErrorFact(Location(path, 1, 1), invalid, problem)
    return node


# A string, or a comment (an unclosed `/*` runs to the end, so no start is scanned twice) ...
_JSON_COMMENT = re.compile(r'"(?:[^"\\\n]|\\.)*"|//[^\n]*|/\*(?:[^*]|\*(?!/))*(?:\*/|$)')
# ... then, once they are blanks, a string or a comma before a closing bracket.
_JSON_TRAILING_COMMA = re.compile(r'"(?:[^"\\\n]|\\.)*"|,(?=\s*[\]}])')


def _without_json_comments(text: str) -> str:
    """JSON with comments and trailing commas (JSONC: tsconfig.json, VS Code settings) as JSON,
    each removed character a space, so lines and columns stay where they were."""

    def blank(match: re.Match[str]) -> str:
        token = match.group(0)
        return token if token.startswith('"') else re.sub(r"[^\n]", " ", token)

    return _JSON_TRAILING_COMMA.sub(blank, _JSON_COMMENT.sub(blank, text))


MAX_YAML_DEPTH = 200
_BRACKET = re.compile(r"[\[\]{}]")


def _bracket_depth(text: str) -> int:
    """How deep `[` and `{` nest (quotes ignored: an overestimate only makes a file report itself)."""
    depth = deepest = 0
    for match in _BRACKET.finditer(text):
        depth = depth + 1 if match.group(0) in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


def _json_as_node(path: str, data: bytes) -> yaml.Node | ErrorFact:
    return _yaml(path, data)  # JSON is YAML; composing it keeps line numbers


def _get(node: Any, key: str) -> Any:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return v
    return None


def _pairs(node: Any) -> list[tuple[Any, Any]]:
    return list(node.value) if isinstance(node, yaml.MappingNode) else []


def _items(node: Any) -> list[Any]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _scalar(node: Any) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _mapping_pairs(node: Any) -> Iterator[tuple[Any, Any]]:
    """Every key/value pair at any depth, iteratively (no recursion on deep documents)."""
    stack, seen = [node], 0
    while stack and seen < 100_000:
        current = stack.pop()
        seen += 1
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                yield key, value
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)


def _node_loc(path: str, node: Any) -> Location:
    mark = getattr(node, "start_mark", None)
    return Location(path, mark.line + 1, mark.column + 1) if mark else Location(path, 1, 1)


def _commands(path: str, node: Any, command: str, where: str, detectors: Detectors | None) -> Iterator[Fact]:
    """The products a command line runs, by the `commands` patterns the packs give them."""
    for pattern, product in detectors.commands if detectors else ():
        match = pattern.search(command)
        if match:
            yield ToolFact(_node_loc(path, node), product, "command", f"{where}: {match.group(0).strip()}")


def _provider(path: str, node: Any, role: str, detectors: Detectors | None) -> Iterator[Fact]:
    """A Promptfoo provider id (`openai:gpt-4o`, `anthropic:messages:claude-…`), as a string or `{id: …}`."""
    identifier = _scalar(node) if isinstance(node, yaml.ScalarNode) else _scalar(_get(node, "id"))
    if not identifier:
        return
    where = node if isinstance(node, yaml.ScalarNode) else _get(node, "id")
    loc = _node_loc(path, where)
    yield ToolFact(loc, "promptfoo", "promptfoo-provider", role, identifier)
    parts = identifier.split(":")
    if detectors is None or len(parts) < 2:
        return
    model = ":".join(p for p in parts[1:] if p not in PROMPTFOO_API_STYLES) if len(parts) > 2 else parts[1]
    found = model_family(model, detectors)
    if found is not None:
        yield StringFact(loc, "model-id", identifier, family=found[0], routed_via=parts[0], context=role)

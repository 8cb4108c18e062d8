"""Read the seed files of ``catalog_data/`` with line numbers (no database, no validation).

Every mapping read from YAML is a :class:`Record` (a dict that remembers its file and line), so
the validator and the loader can report ``services/local.yaml:42: …``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

TEMPLATES_FILE = "services/standard_ente_gestore.yaml"


class Record(dict[str, Any]):
    """A mapping read from a seed file, with its origin."""

    file: str = ""
    line: int = 0

    @property
    def where(self) -> str:
        """``file:line`` of the record."""
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class SeedError:
    """A problem in a seed file, reported as ``file:line: message``."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return (
            f"{self.file}:{self.line}: {self.message}"
            if self.line
            else f"{self.file}: {self.message}"
        )


class SeedFileError(Exception):
    """Raised when seed files cannot be loaded; ``errors`` lists every problem found."""

    def __init__(self, errors: list[SeedError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class SeedData:
    """Raw records of every seed file (templates not yet instantiated)."""

    root: Path
    comuni: list[Record] = field(default_factory=list)
    comuni_fuori_area: list[Record] = field(default_factory=list)
    enti: list[Record] = field(default_factory=list)
    organizations: list[Record] = field(default_factory=list)
    services: list[Record] = field(default_factory=list)
    templates: list[Record] = field(default_factory=list)
    opportunities: list[Record] = field(default_factory=list)
    errors: list[SeedError] = field(default_factory=list)


def _line_loader(relpath: str) -> type[yaml.SafeLoader]:
    class LineLoader(yaml.SafeLoader):
        """SafeLoader whose mappings are :class:`Record` objects with file and line."""

    def construct_record(loader: yaml.SafeLoader, node: yaml.MappingNode) -> Record:
        record = Record()
        record.file = relpath
        record.line = node.start_mark.line + 1
        loader.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            record[key] = loader.construct_object(value_node, deep=True)
        return record

    LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_record)
    return LineLoader


def read_yaml(path: Path, relpath: str, errors: list[SeedError]) -> Any:
    """Parse a YAML file; syntax errors are appended to ``errors`` (result None)."""
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_line_loader(relpath))  # noqa: S506 (SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        errors.append(SeedError(relpath, line, f"invalid YAML: {exc.problem or exc}"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        errors.append(SeedError(relpath, 0, f"cannot read: {exc}"))
    return None


def read_csv(path: Path, relpath: str, columns: list[str], errors: list[SeedError]) -> list[Record]:
    """Read a CSV file whose header must be exactly ``columns``."""
    records: list[Record] = []
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames != columns:
                errors.append(
                    SeedError(
                        relpath, 1, f"header must be {','.join(columns)}, got {reader.fieldnames}"
                    )
                )
                return records
            for row in reader:
                record = Record({k: (v or "").strip() for k, v in row.items() if k is not None})
                record.file, record.line = relpath, reader.line_num
                if None in row:
                    errors.append(SeedError(relpath, reader.line_num, "too many fields"))
                    continue
                records.append(record)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        errors.append(SeedError(relpath, 0, f"cannot read: {exc}"))
    return records


def _list_under(data: Any, key: str | None, relpath: str, errors: list[SeedError]) -> list[Record]:
    items = data.get(key) if key and isinstance(data, dict) else data
    if key and not (isinstance(data, dict) and set(data) == {key}):
        errors.append(
            SeedError(relpath, 1, f"top level must be a mapping with the single key '{key}'")
        )
        return []
    if not isinstance(items, list):
        errors.append(SeedError(relpath, 1, "expected a list of records"))
        return []
    good: list[Record] = []
    for index, item in enumerate(items):
        if isinstance(item, Record):
            good.append(item)
        else:
            errors.append(SeedError(relpath, 0, f"item {index + 1} is not a mapping"))
    return good


COMUNI_COLUMNS = (
    "name,istat_code,cap,ente_gestore_id,ente_gestore_alt_id,distretto,population,"
    "confidence,source,notes"
).split(",")
FUORI_AREA_COLUMNS = ["name", "provincia", "asl", "source"]


def read_seed(root: Path) -> SeedData:
    """Read every seed file under ``root`` (missing files and syntax errors go to ``errors``)."""
    data = SeedData(root=root)
    errors = data.errors

    def path_of(relpath: str) -> Path | None:
        path = root / relpath
        if not path.exists():
            errors.append(SeedError(relpath, 0, "file missing"))
            return None
        return path

    if path := path_of("comuni.csv"):
        data.comuni = read_csv(path, "comuni.csv", COMUNI_COLUMNS, errors)
    if path := path_of("comuni_fuori_area.csv"):
        data.comuni_fuori_area = read_csv(path, "comuni_fuori_area.csv", FUORI_AREA_COLUMNS, errors)
    for relpath, key, target in (
        ("enti_gestori.yaml", None, data.enti),
        ("organizations.yaml", None, data.organizations),
        ("opportunities.yaml", "opportunities", data.opportunities),
        (TEMPLATES_FILE, "templates", data.templates),
    ):
        if path := path_of(relpath):
            parsed = read_yaml(path, relpath, errors)
            if parsed is not None:
                target.extend(_list_under(parsed, key, relpath, errors))
    services_dir = root / "services"
    for path in sorted(services_dir.glob("*.yaml")):
        relpath = f"services/{path.name}"
        if relpath == TEMPLATES_FILE:
            continue
        parsed = read_yaml(path, relpath, errors)
        if parsed is not None:
            data.services.extend(_list_under(parsed, "services", relpath, errors))
    return data


def fill_placeholders(value: Any, ente_name: str, ente_short: str) -> Any:
    """Replace ``{ente_name}``/``{ente_short}`` in every string of ``value``."""
    if isinstance(value, str):
        return value.replace("{ente_name}", ente_name).replace("{ente_short}", ente_short)
    if isinstance(value, list):
        return [fill_placeholders(v, ente_name, ente_short) for v in value]
    if isinstance(value, dict):
        return {k: fill_placeholders(v, ente_name, ente_short) for k, v in value.items()}
    return value


def instantiate_templates(templates: list[Record], enti: list[Record]) -> list[Record]:
    """Expand each template for every ente gestore as service ``<ente_id>-<slug>``."""
    out: list[Record] = []
    for ente in enti:
        for template in templates:
            body = {k: v for k, v in template.items() if k != "slug"}
            record = Record(fill_placeholders(body, str(ente["name"]), str(ente["short_name"])))
            record.file, record.line = template.file, template.line
            record["id"] = f"{ente['id']}-{template['slug']}"
            record["organization"] = ente["id"]
            record["area"] = {"enti_gestori": [ente["id"]]}
            record["verified"] = False
            out.append(record)
    return out

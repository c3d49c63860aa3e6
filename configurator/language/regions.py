"""Region files: how a region carries out the provincial standard (docs/bundle-format.md, 地区绑定).

``regions/<code>.yaml``, one per region, named by its GB/T 2260 six-digit code. A city names
its province as ``parent``, a county its city (or its province, for a county directly under
it). What a region leaves out it inherits: agencies role by role, the fallback window, and
each bundle's implementation codes and deviations entry by entry (county over city over
province).

Reading goes through the same loader and schema check as bundles, so every problem is located
in the file. The deviation rules (only towards citizens) are in ``language.region_rules``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from configurator.diagnostics import Diagnostic, localized
from configurator.language.fieldtypes import gb32100_check_char
from configurator.language.loader import load_yaml
from configurator.language.schema import check_schema
from configurator.language.sourcemap import SourceMap
from configurator.model import Path, Text, text_or_none

REGION_SCHEMA = "region"
LEVELS = ("province", "city", "county")


def level(code: str) -> str:
    """province (XX0000), city (XXXX00) or county, from a GB/T 2260 code."""
    if code.endswith("0000"):
        return "province"
    return "city" if code.endswith("00") else "county"


def covers(ancestor: str, code: str) -> bool:
    """True when ``code`` is ``ancestor`` or lies inside it (by the code's prefix)."""
    kept = {"province": 2, "city": 4, "county": 6}[level(ancestor)]
    return code[:kept] == ancestor[:kept]


@dataclass(frozen=True)
class Window:
    name: Text
    address: Text
    phone: str
    hours: Text | None


@dataclass(frozen=True)
class Agency:
    """A local agency. Only its name is required: a guide often names the agency without its
    credit code, address or phone, and a region file states what its source gives, nothing more."""

    name: Text
    uscc: str | None
    address: Text | None
    phone: str | None
    hours: Text | None
    online: str | None


@dataclass(frozen=True)
class ItemBinding:
    implementation_code: str | None
    promised_days: int | None
    visits: int | None


@dataclass(frozen=True)
class BundleBinding:
    items: Mapping[str, ItemBinding] = field(default_factory=dict)
    materials: Mapping[str, str] = field(default_factory=dict)  # material id → waived | optional | deferrable | required
    visits: int | None = None
    delivery: tuple[str, ...] | None = None
    eligibility: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Region:
    code: str
    name: Text
    parent: str | None
    agencies: Mapping[str, Agency]
    fallback: Window | None
    bundles: Mapping[str, BundleBinding]
    file: str


@dataclass(frozen=True)
class RegionFile:
    filename: str
    region: Region | None  # None when the file could not be read or broke the schema
    source: SourceMap | None
    diagnostics: list[Diagnostic]


def _window(data: Mapping[str, Any] | None) -> Window | None:
    if data is None:
        return None
    return Window(Text.of(data["name"]), Text.of(data["address"]), data["phone"], text_or_none(data.get("hours")))


def _binding(data: Mapping[str, Any]) -> BundleBinding:
    items = {key: ItemBinding(value.get("implementation_code"), value.get("promised_days"), value.get("visits"))
             for key, value in (data.get("items") or {}).items()}
    delivery = data.get("delivery")
    return BundleBinding(items, dict(data.get("materials") or {}), data.get("visits"),
                         tuple(delivery) if delivery is not None else None, dict(data.get("eligibility") or {}))


def build_region(data: Mapping[str, Any], filename: str) -> Region:
    agencies = {key: Agency(Text.of(value["name"]), value.get("uscc"), text_or_none(value.get("address")), value.get("phone"),
                            text_or_none(value.get("hours")), value.get("online"))
                for key, value in (data.get("agencies") or {}).items()}
    return Region(data["code"], Text.of(data["name"]), data.get("parent"), agencies, _window(data.get("fallback")),
                  {key: _binding(value) for key, value in (data.get("bundles") or {}).items()}, filename)


def read_region(raw: bytes, filename: str, stem: str) -> RegionFile:
    """Load and schema-check one region file; ``stem`` is its file name without .yaml."""
    loaded = load_yaml(raw, filename)
    if not loaded.usable:
        return RegionFile(filename, None, loaded.source, loaded.diagnostics)
    problems = check_schema(loaded.data, loaded.source, REGION_SCHEMA)
    if problems:
        return RegionFile(filename, None, loaded.source, loaded.diagnostics + problems)
    region = build_region(loaded.data, filename)
    found = list(loaded.diagnostics)
    if region.code != stem:
        found.append(loaded.source.diagnostic("E601", ("code",), region=region.code, stem=stem))
    for role, agency in region.agencies.items():
        if agency.uscc is None:
            continue
        expected = gb32100_check_char(agency.uscc[:17])
        if agency.uscc[17] != expected:
            found.append(loaded.source.diagnostic(
                "E205", ("agencies", role, "uscc"), value=agency.uscc,
                where=localized(f"机构“{agency.name.get('zh-CN')}”的“统一社会信用代码”（uscc）",
                                f"the unified social credit code (uscc) of \"{agency.name.get('en')}\""),
                rule=localized(f"按 GB 32100 校验，最后一位应为 {expected}", f"by GB 32100 the last character should be {expected}")))
    return RegionFile(filename, region, loaded.source, found)


def parent_problems(files: Iterable[RegionFile]) -> list[Diagnostic]:
    """Each parent exists and is the next level up, by its code (so inheritance never loops)."""
    regions = {f.region.code: f for f in files if f.region is not None}
    found = []
    for entry in regions.values():
        region, source = entry.region, entry.source
        assert region is not None and source is not None
        problem: tuple[str, str, str, str] | None = None
        kind = level(region.code)
        if kind == "province" and region.parent is not None:
            problem = ("省级地区没有上级地区", "a province has no region above it", "清空“上级地区”（parent）",
                       "clear the region above (parent)")
        elif kind != "province" and region.parent is None:
            problem = (f"{region.code} 不是省级地区，要填写“上级地区”（parent）",
                       f"{region.code} is not a province, so it needs the region above it (parent)",
                       f"“上级地区”填所属省的代码 {region.code[:2]}0000，或所属市的代码",
                       f"set the region above to its province, {region.code[:2]}0000, or its city")
        elif region.parent is not None and not (LEVELS.index(level(region.parent)) < LEVELS.index(kind)
                                                and covers(region.parent, region.code)):
            problem = (f"“{region.parent}”不是“{region.code}”的上级地区（行政区划代码的前缀须相同，且级别更高）",
                       f"\"{region.parent}\" is not above \"{region.code}\" (same code prefix, higher level)",
                       "“上级地区”（parent）填所属省或市的代码", "set the region above (parent) to its province or city")
        elif region.parent is not None and region.parent not in regions:
            problem = (f"上级地区“{region.parent}”没有地区文件（或文件有错误）",
                       f"parent region \"{region.parent}\" has no region file (or its file has errors)",
                       f"先添加地区 {region.parent}（regions/{region.parent}.yaml），或改正“上级地区”（parent）",
                       f"add the region {region.parent} first (regions/{region.parent}.yaml), or correct the region above "
                       "(parent)")
        if problem is not None:
            found.append(source.diagnostic("E602", ("parent",) if region.parent else ("code",),
                                           problem=localized(problem[0], problem[1]), fix=localized(problem[2], problem[3])))
    return found


@dataclass(frozen=True)
class Resolved:
    """A region with everything inherited from above filled in."""

    region: Region
    chain: tuple[Region, ...]  # province first, the region itself last
    agencies: Mapping[str, Agency]
    fallback: Window | None
    bindings: Mapping[str, BundleBinding]

    def binding(self, bundle_id: str) -> BundleBinding:
        return self.bindings.get(bundle_id, BundleBinding())

    def origin(self, bundle_id: str, *path: str) -> Region | None:
        """The nearest region in the chain that writes the value at ``bundles/<bundle_id>/<path>``."""
        for region in reversed(self.chain):
            value: Any = region.bundles.get(bundle_id)
            for part in path:
                value = getattr(value, part, None) if not isinstance(value, Mapping) else value.get(part)
            if value not in (None, {}, ()):
                return region
        return None


def _merge(upper: BundleBinding, lower: BundleBinding) -> BundleBinding:
    items = dict(upper.items)
    for key, own in lower.items.items():
        above = items.get(key, ItemBinding(None, None, None))
        items[key] = ItemBinding(own.implementation_code or above.implementation_code,
                                 own.promised_days if own.promised_days is not None else above.promised_days,
                                 own.visits if own.visits is not None else above.visits)
    return BundleBinding(items, {**upper.materials, **lower.materials},
                         lower.visits if lower.visits is not None else upper.visits,
                         lower.delivery if lower.delivery is not None else upper.delivery,
                         {**upper.eligibility, **lower.eligibility})


def resolve(regions: Mapping[str, Region], code: str) -> Resolved:
    """``code`` with its parents' bindings inherited. Assumes parent_problems found nothing for the chain."""
    chain: list[Region] = []
    current: str | None = code
    while current is not None and current in regions and len(chain) < len(LEVELS):
        chain.insert(0, regions[current])
        current = regions[current].parent
    agencies: dict[str, Agency] = {}
    fallback: Window | None = None
    bindings: dict[str, BundleBinding] = {}
    for region in chain:
        agencies.update(region.agencies)
        fallback = region.fallback or fallback
        for bundle_id, binding in region.bundles.items():
            bindings[bundle_id] = _merge(bindings.get(bundle_id, BundleBinding()), binding)
    return Resolved(regions[code], tuple(chain), agencies, fallback, bindings)


def located(region_files: Mapping[str, RegionFile], region: Region, path: Path, code: str, **params: Any) -> Diagnostic:
    """A diagnostic at ``path`` in the file of ``region``."""
    source = region_files[region.code].source
    assert source is not None
    return source.diagnostic(code, path, **params)

"""What a region may change in a bundle: only towards citizens.

国发〔2024〕3号 asks that the same "one thing" be accepted without difference and handled to
the same standard in every region (同一事项无差别受理、同标准办理). A region may be better than the
standard in four ways — a shorter time limit, fewer materials, fewer trips, more delivery
channels — and in no other. Everything a region file changes is a ``Difference``: the report
shows them all, ``check`` reports the forbidden ones as E604 where they are written.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from configurator.diagnostics import Diagnostic, listing, localized
from configurator.language.regions import BundleBinding, RegionFile, Resolved, level, resolve
from configurator.model import Bundle, Catalogues, Path

RULE = localized("国发〔2024〕3号：同一事项无差别受理、同标准办理；地区只能缩短时限、减少材料、减少跑动、增加送达方式",
                 "State Council 2024 No. 3: the same standard everywhere; a region may only shorten limits, "
                 "drop materials, cut trips or add delivery channels")
ASPECTS = ("time", "materials", "trips", "eligibility", "delivery")
# From least to most asked of the applicant.
STRICTNESS = {"waived": 0, "optional": 1, "deferrable": 2, "required": 3}
REQUIREMENT_WORDS = {"waived": "免交", "optional": "可选", "deferrable": "可容缺", "required": "必交"}


@dataclass(frozen=True)
class Difference:
    aspect: str  # one of ASPECTS
    subject: str  # item, material or rule id; the bundle id for bundle-wide values
    standard: str
    local: str
    allowed: bool
    path: Path  # within the region file: ("bundles", bundle_id, ...)

    def describe(self, lang: str = "zh-CN") -> str:
        """The subject and the change, e.g. "birth_registration：3 → 2" (the aspect is the column)."""
        return f"{self.subject}: {self.standard} → {self.local}" if lang == "en" else f"{self.subject}：{self.standard} → {self.local}"


def differences(bundle: Bundle, binding: BundleBinding) -> Iterator[Difference]:
    """Every way ``binding`` differs from the standard ``bundle``, each judged allowed or not.
    References to unknown items, materials or rules are skipped (``reference_problems`` reports them)."""
    base: Path = ("bundles", bundle.id)
    for item_id, local in binding.items.items():
        item = bundle.item(item_id)
        if item is None:
            continue
        if local.promised_days is not None and local.promised_days != item.promised_days:
            yield Difference("time", item_id, f"{item.promised_days}", f"{local.promised_days}",
                             local.promised_days < item.promised_days, base + ("items", item_id, "promised_days"))
        if local.visits is not None and local.visits != item.visits:
            yield Difference("trips", item_id, f"{item.visits}", f"{local.visits}", local.visits < item.visits,
                             base + ("items", item_id, "visits"))
    for material_id, requirement in binding.materials.items():
        material = bundle.material(material_id)
        if material is None:
            continue
        standard = material.requirement if material.source == "applicant" else "waived"
        if requirement != standard:
            yield Difference("materials", material_id, REQUIREMENT_WORDS[standard], REQUIREMENT_WORDS[requirement],
                             STRICTNESS[requirement] < STRICTNESS[standard], base + ("materials", material_id))
    if binding.visits is not None and bundle.visits is not None and binding.visits != bundle.visits:
        yield Difference("trips", bundle.id, f"{bundle.visits}", f"{binding.visits}", binding.visits < bundle.visits,
                         base + ("visits",))
    if binding.delivery is not None and set(binding.delivery) != set(bundle.delivery):
        yield Difference("delivery", bundle.id, ",".join(bundle.delivery), ",".join(binding.delivery),
                         set(bundle.delivery) <= set(binding.delivery), base + ("delivery",))
    for rule_id, condition in binding.eligibility.items():
        rule = next((r for r in bundle.eligibility if r.id == rule_id), None)
        if rule is not None:
            yield Difference("eligibility", rule_id, rule.require.text, condition, False, base + ("eligibility", rule_id))


def _forbidden(difference: Difference) -> tuple[str, str]:
    """Why a difference is forbidden, in Chinese and English."""
    d = difference
    return {
        "time": (f"事项“{d.subject}”的本地承诺时限 {d.local} 个工作日长于标准的 {d.standard} 个工作日",
                 f"item \"{d.subject}\" promises {d.local} working days here, longer than the standard {d.standard}"),
        "trips": (f"“{d.subject}”本地到现场 {d.local} 次，多于标准的 {d.standard} 次",
                  f"\"{d.subject}\" needs {d.local} trips here, more than the standard {d.standard}"),
        "materials": (f"材料“{d.subject}”本地要求“{d.local}”，比标准的“{d.standard}”更严",
                      f"material \"{d.subject}\" is \"{d.local}\" here, stricter than the standard \"{d.standard}\""),
        "delivery": (f"送达方式少了标准中的方式（标准 {d.standard}，本地 {d.local}）",
                     f"delivery drops a standard channel (standard {d.standard}, here {d.local})"),
        "eligibility": (f"地区不得改变受理条件“{d.subject}”（标准：{d.standard}）",
                        f"a region may not change eligibility rule \"{d.subject}\" (standard: {d.standard})"),
    }[d.aspect]


def check_regions(files: list[RegionFile], bundles: Mapping[str, Bundle], catalogues: Catalogues) -> list[Diagnostic]:
    """References, forbidden deviations and unbound department roles, located in each file."""
    found: list[Diagnostic] = []
    regions = {f.region.code: f.region for f in files if f.region is not None}
    for entry in files:
        region, source = entry.region, entry.source
        if region is None or source is None:
            continue
        for department in region.agencies:
            if department not in catalogues.departments:
                found.append(source.diagnostic("E603", ("agencies", department), at_key=True, ref=department,
                                               where=localized("部门目录中", "the departments catalogue"),
                                               kind=localized("部门", "department"),
                                               known=listing(sorted(catalogues.departments)[:12])))
        for bundle_id, binding in region.bundles.items():
            bundle = bundles.get(bundle_id)
            if bundle is None:
                found.append(source.diagnostic("E603", ("bundles", bundle_id), at_key=True, ref=bundle_id,
                                               where=localized("bundles/ 中", "bundles/"), kind=localized("一件事", "bundle"),
                                               known=listing(sorted(bundles))))
                continue
            found += _reference_problems(entry, bundle, binding)
            for difference in differences(bundle, binding):
                if not difference.allowed:
                    zh, en = _forbidden(difference)
                    found.append(source.diagnostic("E604", difference.path, what=localized(zh, en), rule=RULE,
                                                   fix_en="remove the deviation, or make it one in the citizens' favour"))
        if region.parent is None or region.parent in regions:
            found += _unbound_roles(entry, resolve(regions, region.code), bundles)
    return found


def _reference_problems(entry: RegionFile, bundle: Bundle, binding: BundleBinding) -> list[Diagnostic]:
    assert entry.source is not None
    where = localized(f"一件事“{bundle.id}”中", f"bundle \"{bundle.id}\"")
    found = []
    checks = [("items", binding.items, {i.id for i in bundle.items}, ("事项", "item")),
              ("materials", binding.materials, {m.id for m in bundle.materials}, ("材料", "material")),
              ("eligibility", binding.eligibility, {r.id for r in bundle.eligibility}, ("受理条件", "eligibility rule"))]
    for key, written, known, (kind_zh, kind_en) in checks:
        for ref in written:
            if ref not in known:
                found.append(entry.source.diagnostic("E603", ("bundles", bundle.id, key, ref), at_key=True, ref=ref,
                                                     where=where, kind=localized(kind_zh, kind_en),
                                                     known=listing(sorted(known))))
    return found


def _unbound_roles(entry: RegionFile, resolved: Resolved, bundles: Mapping[str, Bundle]) -> list[Diagnostic]:
    """A role a bundle uses with no agency here or above. Only counties (the regions citizens are
    served in) and regions that bind bundles themselves are held to it: a province may leave
    roles to its cities."""
    assert entry.source is not None
    region = resolved.region
    if level(region.code) != "county" and not region.bundles:
        return []
    found = []
    for bundle in sorted(bundles.values(), key=lambda b: b.id):
        for role in dict.fromkeys([bundle.lead_department, *(i.department for i in bundle.items)]):
            if role not in resolved.agencies:
                found.append(entry.source.diagnostic("W605", ("agencies",) if region.agencies else ("code",), at_key=True,
                                                     department=role, bundle=bundle.id))
    return found

"""What a region may change in a bundle: only towards citizens.

国发〔2024〕3号 asks that the same "one thing" be accepted without difference and handled to
the same standard in every region (同一事项无差别受理、同标准办理). A region may be better than the
standard in four ways — a shorter time limit, fewer materials, fewer trips, more delivery
channels — and in no other. Everything a region file changes is a ``Difference``: the report
shows them all, ``check`` reports the forbidden ones as E604 where they are written.

Where the standard's value depends on the case, the region's value is compared with the default
(a region may not be worse than it: E604) and with each case's value: a region's value is its
promise for every case, and a case the standard treats better keeps the standard's value
(planning/regional.py). Such a case is a ``Difference`` with its ``case`` and ``applies`` False,
reported as the warning W606, so nobody reads the region's value as the rule for that case.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from configurator.diagnostics import Diagnostic, listing, localized
from configurator.language.describe import describe
from configurator.language.regions import BundleBinding, RegionFile, Resolved, level, resolve
from configurator.model import Bundle, BundleMaterial, Catalogues, Item, Path, ValueCase

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
    case: tuple[str, str] | None = None  # the case of a value by case, in words (Chinese, English); None: the default
    applies: bool = True  # the region's value is what this case gets (False: the standard's is more favourable)

    def describe(self, lang: str = "zh-CN") -> str:
        """The subject and the change, e.g. "birth_registration：3 → 2" (the aspect is the column);
        a case's as "permit［大型活动］：5 → 2", marked where the standard's value stays."""
        en = lang == "en"
        subject = self.subject if self.case is None else (
            f"{self.subject} [{self.case[1]}]" if en else f"{self.subject}［{self.case[0]}］")
        kept = "" if self.applies else (" (the standard's stays)" if en else "（按标准）")
        return (f"{subject}: {self.standard} → {self.local}" if en else f"{subject}：{self.standard} → {self.local}") + kept


def _cases(entry: Item | BundleMaterial, attribute: str) -> list[ValueCase]:
    return [case for v in entry.varies if v.attribute == attribute for case in v.cases]


def _by_case(bundle: Bundle, aspect: str, subject: str, entry: Item | BundleMaterial, attribute: str, local: int | str,
             path: Path) -> Iterator[Difference]:
    """The differences of one regional value: from the default (allowed only if better) and, when
    that one is allowed, from each case's value (never forbidden: the better of the two applies)."""
    def better(ours: int | str, theirs: int | str) -> bool:
        return STRICTNESS[str(ours)] < STRICTNESS[str(theirs)] if aspect == "materials" else int(ours) < int(theirs)

    def shown(value: int | str) -> str:
        return REQUIREMENT_WORDS[str(value)] if aspect == "materials" else f"{value}"

    standard = getattr(entry, attribute)
    if local != standard:
        yield Difference(aspect, subject, shown(standard), shown(local), better(local, standard), path)
        if not better(local, standard):
            return
    if local == "waived":
        return  # not handed in at all, whatever the case
    for case in _cases(entry, attribute):
        if case.value != local:
            words = (describe(case.when.written, bundle, "zh-CN"), describe(case.when.written, bundle, "en"))
            yield Difference(aspect, subject, shown(case.value), shown(local), True, path, words,
                             better(local, case.value))


def differences(bundle: Bundle, binding: BundleBinding) -> Iterator[Difference]:
    """Every way ``binding`` differs from the standard ``bundle``, each judged allowed or not.
    References to unknown items, materials or rules are skipped (``reference_problems`` reports them)."""
    base: Path = ("bundles", bundle.id)
    for item_id, local in binding.items.items():
        item = bundle.item(item_id)
        if item is None:
            continue
        if local.promised_days is not None:
            yield from _by_case(bundle, "time", item_id, item, "promised_days", local.promised_days,
                                base + ("items", item_id, "promised_days"))
        if local.visits is not None:
            yield from _by_case(bundle, "trips", item_id, item, "visits", local.visits, base + ("items", item_id, "visits"))
    for material_id, requirement in binding.materials.items():
        material = bundle.material(material_id)
        if material is None:
            continue
        path = base + ("materials", material_id)
        if material.source != "applicant":
            if requirement != "waived":  # the standard gets it without the applicant: asking for it is stricter
                yield Difference("materials", material_id, REQUIREMENT_WORDS["waived"], REQUIREMENT_WORDS[requirement],
                                 False, path)
            continue
        yield from _by_case(bundle, "materials", material_id, material, "requirement", requirement, path)
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


def _kept(difference: Difference) -> tuple[str, str]:
    """A case the standard treats better than the region's value does, in Chinese and English."""
    d = difference
    assert d.case is not None
    zh_case, en_case = d.case
    return {
        "time": (f"事项“{d.subject}”本地承诺 {d.local} 个工作日，而{zh_case}时标准承诺 {d.standard} 个工作日",
                 f"item \"{d.subject}\" promises {d.local} working days here, while the standard promises {d.standard} "
                 f"when {en_case}"),
        "trips": (f"事项“{d.subject}”本地到现场 {d.local} 次，而{zh_case}时标准只要 {d.standard} 次",
                  f"item \"{d.subject}\" needs {d.local} trips here, while the standard needs {d.standard} when {en_case}"),
        "materials": (f"材料“{d.subject}”本地要求“{d.local}”，而{zh_case}时标准为“{d.standard}”",
                      f"material \"{d.subject}\" is \"{d.local}\" here, while the standard has it \"{d.standard}\" "
                      f"when {en_case}"),
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
                elif not difference.applies:
                    found.append(source.diagnostic("W606", difference.path, what=localized(*_kept(difference))))
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
    """The roles the bundles use with no agency here or above, as one warning per region (each role
    with the bundles that use it): a region built from a guide that names one agency would otherwise
    get a line for every other role of every bundle. Only counties (the regions citizens are served
    in) and regions that bind bundles themselves are held to it: a province may leave roles to its
    cities."""
    assert entry.source is not None
    region = resolved.region
    if level(region.code) != "county" and not region.bundles:
        return []
    unbound: dict[str, list[str]] = {}
    for bundle in sorted(bundles.values(), key=lambda b: b.id):
        for role in dict.fromkeys([bundle.lead_department, *(i.department for i in bundle.items)]):
            if role not in resolved.agencies:
                unbound.setdefault(role, []).append(bundle.id)
    if not unbound:
        return []
    # each id quoted, so the words say each role and bundle by its name (language.naming)
    # (the role's id stays in brackets: it is what the source editor writes under agencies)
    zh = "、".join(f"“{role}”（{role}，用于{'、'.join(f'“{b}”' for b in ids)}）" for role, ids in sorted(unbound.items()))
    en = ", ".join('"{}" ({}, used by {})'.format(role, role, ", ".join(f'"{b}"' for b in ids))
                   for role, ids in sorted(unbound.items()))
    roles = localized(zh, en)
    return [entry.source.diagnostic("W605", ("agencies",) if region.agencies else ("code",), at_key=True,
                                    roles=roles, count=len(unbound))]

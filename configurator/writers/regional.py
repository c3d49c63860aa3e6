"""Per-region artifacts: every writer on the regional bundle, a notice naming the local
agencies and fallback window, and region.json (the binding portals need: agencies by role,
implementation codes)."""

from __future__ import annotations

from typing import Any

from configurator.jsontext import dump_json
from configurator.language.regions import Agency, Resolved, Window
from configurator.model import Bundle, Catalogues
from configurator.planning.compiled import Compiled
from configurator.planning.regional import regional_bundle
from configurator.writers import render_compiled
from configurator.writers.document import Document
from configurator.writers.notice import general_notice
from configurator.writers.phrases import say

REGION_ARTIFACT = "region.json"
REGIONAL_COLUMNS = ("department", "agency", "address", "phone", "hours", "online")


def regional_notice(compiled: Compiled, resolved: Resolved) -> Document:
    doc = general_notice(compiled)
    region = resolved.region
    bundle = compiled.bundle
    doc.heading(say(compiled.lang, "regional.agencies", region=compiled.text(region.name)))
    roles = list(dict.fromkeys([bundle.lead_department, *(i.department for i in bundle.items)]))
    rows = []
    for role in roles:
        agency = resolved.agencies.get(role)
        if agency is None:
            rows.append([compiled.department_name(role), say(compiled.lang, "regional.unbound"), "", "", "", ""])
            continue
        rows.append([compiled.department_name(role), compiled.text(agency.name), compiled.text(agency.address), agency.phone or "",
                     compiled.text(agency.hours), agency.online or ""])
    doc.table([say(compiled.lang, "regional." + column) for column in REGIONAL_COLUMNS], rows)
    if resolved.fallback is not None:
        window = resolved.fallback
        doc.heading(say(compiled.lang, "regional.fallback"))
        hours = say(compiled.lang, "regional.opening", hours=compiled.text(window.hours)) if window.hours else ""
        doc.paragraph(say(compiled.lang, "regional.window", name=compiled.text(window.name), address=compiled.text(window.address),
                          phone=window.phone, hours=hours))
    return doc


def _agency(agency: Agency, compiled: Compiled) -> dict[str, Any]:
    return {"name": compiled.text(agency.name), "uscc": agency.uscc, "address": compiled.text(agency.address) or None,
            "phone": agency.phone, "hours": compiled.text(agency.hours) or None, "online": agency.online}


def _window(window: Window | None, compiled: Compiled) -> dict[str, Any] | None:
    if window is None:
        return None
    return {"name": compiled.text(window.name), "address": compiled.text(window.address), "phone": window.phone,
            "hours": compiled.text(window.hours) or None}


def region_binding(compiled: Compiled, resolved: Resolved) -> dict[str, Any]:
    bundle = compiled.bundle
    binding = resolved.binding(bundle.id)
    roles = list(dict.fromkeys([bundle.lead_department, *(i.department for i in bundle.items)]))
    return {
        "region": {"code": resolved.region.code, "name": compiled.text(resolved.region.name),
                   "inherits": [r.code for r in resolved.chain[:-1]]},
        "bundle": bundle.id,
        "agencies": {role: _agency(resolved.agencies[role], compiled) for role in roles if role in resolved.agencies},
        "implementation_codes": {item_id: b.implementation_code for item_id, b in sorted(binding.items.items())
                                 if b.implementation_code},
        "fallback": _window(resolved.fallback, compiled),
    }


def render_region(bundle: Bundle, catalogues: Catalogues, resolved: Resolved, lang: str = "zh-CN") -> dict[str, str]:
    """Every artifact of ``bundle`` as ``resolved`` carries it out, by file name."""
    compiled = Compiled(regional_bundle(bundle, resolved.binding(bundle.id)), catalogues, lang)
    artifacts = render_compiled(compiled)
    notice = regional_notice(compiled, resolved)
    artifacts["notice.md"] = notice.markdown()
    artifacts["notice.html"] = notice.html(lang)
    artifacts[REGION_ARTIFACT] = dump_json(region_binding(compiled, resolved))
    return artifacts

"""The standard bundle as one region carries it out: its allowed deviations applied.

Only deviations towards citizens are applied (shorter limits, fewer materials, fewer trips,
more delivery channels); a region with a forbidden one is not built (``check`` reports it).
"""

from __future__ import annotations

import dataclasses

from configurator.language.region_rules import differences
from configurator.language.regions import BundleBinding
from configurator.model import Bundle


def regional_bundle(bundle: Bundle, binding: BundleBinding) -> Bundle:
    allowed = [d for d in differences(bundle, binding) if d.allowed]
    waived = {d.subject for d in allowed if d.aspect == "materials" and binding.materials[d.subject] == "waived"}
    relaxed = {d.subject: binding.materials[d.subject] for d in allowed if d.aspect == "materials" and d.subject not in waived}
    times = {d.subject: int(d.local) for d in allowed if d.aspect == "time"}
    trips = {d.subject: int(d.local) for d in allowed if d.aspect == "trips" and d.subject != bundle.id}
    items = tuple(dataclasses.replace(
        item, promised_days=times.get(item.id, item.promised_days), visits=trips.get(item.id, item.visits),
        materials=tuple(m for m in item.materials if m not in waived)) for item in bundle.items)
    materials = tuple(dataclasses.replace(m, requirement=relaxed.get(m.id, m.requirement))
                      for m in bundle.materials if m.id not in waived)
    visits = next((int(d.local) for d in allowed if d.aspect == "trips" and d.subject == bundle.id), bundle.visits)
    delivery = next((binding.delivery for d in allowed if d.aspect == "delivery" and binding.delivery), bundle.delivery)
    return dataclasses.replace(bundle, items=items, materials=materials, visits=visits, delivery=delivery)

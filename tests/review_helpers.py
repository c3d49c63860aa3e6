"""Driving change requests through the admin over HTTP (a Flask test client or real requests)."""

from __future__ import annotations

import re

from bench.admin import form_values
from tests.web_helpers import csrf_token

ITEM = "/admin/bundles/newborn/items/2/"  # 出生登记（户口）: promised 3 days


def edit_item(client, promised: str, *, change: int | None = None, message: str = "") -> tuple[int, str]:
    """Save the item's promised days through the form; (status, Location or body)."""
    url = ITEM + (f"?change={change}" if change else "")
    page = client.get(url).get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), **form_values(page), "promised": promised}
    if message:
        data["message"] = message
    response = client.post(url, data=data)
    return response.status_code, response.headers.get("Location", "") or response.get_data(as_text=True)


def change_of(location: str) -> int:
    found = re.search(r"change=(\d+)", location)
    assert found, location
    return int(found.group(1))


def act(client, change: int, action: str, **fields: str):
    page = client.get(f"/admin/changes/{change}/").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), **fields}
    if action == "publish":
        data["head"] = re.search(r'data-head="([0-9a-f]{40})"', page).group(1)  # type: ignore[union-attr]
        data["main"] = re.search(r'data-main="([0-9a-f]{40})"', page).group(1)  # type: ignore[union-attr]
    return client.post(f"/admin/changes/{change}/{action}/", data=data, follow_redirects=True)

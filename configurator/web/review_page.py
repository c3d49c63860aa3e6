"""What the review page of one change request shows, computed from git (no Flask here but the
request form handed in): diffs against the merge base with the current main (never phantom
reverts), check results of the merged tree, figure deltas with worsening flagged, the changed
bundles' notices beside the published ones, and the field-by-field rows of an update."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext

from configurator.language.loader import load_yaml
from configurator.planning.compiled import Compiled
from configurator.present.deltas import Delta, figure_deltas
from configurator.present.semantic_diff import (
    Version,
    diff_data,
    file_in_words,
    names_in,
    order_changes,
    place_in_words,
)
from configurator.workspace import git
from configurator.workspace.changes import PUBLISHED, ChangeRequests, UpdatePlan
from configurator.workspace.merging import MISSING
from configurator.workspace.publishing import readiness
from configurator.workspace.records import Record
from configurator.workspace.versions import version_at
from configurator.writers import WRITERS
from configurator.writers.phrases import say


def _problem(d: Any, lang: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """A problem of the merged tree, with its file named as officials know it (``where``); the file,
    line and code are for the page's detail toggle."""
    stem = d.file.rsplit("/", 1)[-1].removesuffix(".yaml")
    return {"file": d.file, "line": d.line, "column": d.column, "code": d.code, "severity": str(d.severity),
            "message": d.message(lang), "fix": d.fix(lang),
            "where": file_in_words(d.file if "/" in d.file else f"bundles/{d.file}", (data or {}).get(stem), lang)}


_DELTAS: dict[tuple[str, ...], list[Delta]] = {}


def _deltas(repo: Any, main: str, target: str, path: str, old: Compiled | None, new: Compiled | None) -> list[Delta]:
    """Figure deltas, kept per (published blob, changed blob, catalogues): reopening a review page
    does not run the planner's case search again."""
    key = (git.blob_id(repo, main, path), git.blob_id(repo, target, path), git.blob_id(repo, main, "catalogues"),
           git.blob_id(repo, target, "catalogues"), old.lang if old else new.lang if new else "")
    if key not in _DELTAS:
        if len(_DELTAS) > 64:
            _DELTAS.clear()
        _DELTAS[key] = figure_deltas(old, new)
    return _DELTAS[key]


def review_context(changes: ChangeRequests, change: Record, lang: str) -> dict[str, Any]:
    repo = changes.repo
    head, main = changes.head(change), changes.main()
    ready = readiness(changes, change, head, main)  # the rule publish enforces
    saves_from = base = ready.base
    shown, paths, merged, diagnostics = head, list(ready.paths), ready.merged, ready.problems
    if change.state == PUBLISHED and change.published_commit:
        # What the publish changed on main (its merge commit against main before it): once the
        # branch is part of main, main and the branch no longer differ.
        shown = change.published_commit
        base = saves_from = git.log(repo, [shown], limit=1)[0].parents[0]
        paths, merged = git.changed_paths(repo, base, shown), None
        diagnostics = tuple(changes.check_tree(shown)) if paths else ()
    target = merged.tree if merged is not None and merged.clean else shown
    ids = {p[len("bundles/"):-len(".yaml")] for p in paths if p.startswith("bundles/")}
    against = main if shown == head else base  # a published request: main as it was before it
    before, after = version_at(repo, against, ids), version_at(repo, target, ids)
    original, changed = version_at(repo, base, ids), version_at(repo, shown, ids)
    bundles, deltas = _bundle_rows(repo, paths, before, after, against, target, lang)
    problems = [_problem(d, lang, after.data) for d in diagnostics]
    authors = changes.authors(change)
    return {
        "head": head, "main": main, "base": base, "paths": paths, "behind": changes.behind(change),
        "files": _files(repo, paths, original, changed, base, shown, lang),
        "authors": authors, "semantic": _in_words(repo, paths, original, changed, base, shown, lang),
        "line_diff": git.diff(repo, base, shown, ("bundles", "catalogues", "regions", "calendars")) if paths else "",
        # each save with what its author said of it (the form's 修改说明, or the words made for it)
        "saves": [c for c in git.log(repo, [head, f"^{saves_from}"], limit=100) if len(c.parents) == 1],
        "merge_conflicts": list(merged.conflicts) if merged is not None and not merged.clean else [],
        "problems": problems, "errors": [p for p in problems if p["severity"] == "error"],
        "bundles": bundles, "events": changes.records.events(change.id),
        "worse": deltas,
        "four_eyes": changes.four_eyes, "own": lambda user: changes.four_eyes and user in authors,
        "publishable": ready.publishable,
    }


def _files(repo: Any, paths: list[str], original: Version, changed: Version, base: str, shown: str,
           lang: str) -> list[tuple[str, str, str]]:
    """Each changed file as officials know it, how it changed, and its path."""
    names = {**original.data, **changed.data}
    return [(file_in_words(p, names.get(p[len("bundles/"):-len(".yaml")]), lang),
             _how_changed(git.read_file(repo, base, p) is None, git.read_file(repo, shown, p) is None), p)
            for p in paths]


def _in_words(repo: Any, paths: list[str], original: Version, changed: Version, base: str, shown: str,
              lang: str) -> list[str]:
    """The data and the order of items, in words. The figures are the deltas table (the planner's
    case search is the costly part of a review page: it runs once per version)."""
    semantic = []
    for bundle_id in sorted(set(original.data) | set(changed.data)):
        # 一件事“…”, not its file's id
        named = file_in_words(f"bundles/{bundle_id}.yaml", changed.data.get(bundle_id, original.data.get(bundle_id)), lang)
        if bundle_id not in original.data or bundle_id not in changed.data:
            semantic.append(f"{named}: {say(lang, 'diff.new_bundle' if bundle_id in changed.data else 'diff.removed_bundle')}")
            continue
        names = names_in(original.data[bundle_id], changed.data[bundle_id], catalogues=changed.catalogues, lang=lang)
        semantic += [c.text() for c in diff_data(named, original.data[bundle_id], changed.data[bundle_id], lang=lang,
                                                 names=names)]
        if bundle_id in original.models and bundle_id in changed.models:
            semantic += [c.text() for c in order_changes(named, original.models[bundle_id], changed.models[bundle_id], lang)]
    for path in paths:
        if path.startswith("catalogues/"):
            old = load_yaml(git.read_file(repo, base, path) or b"{}", path).data
            new = load_yaml(git.read_file(repo, shown, path) or b"{}", path).data
            semantic += [c.text() for c in diff_data(file_in_words(path, new, lang), old, new, lang=lang)]
    return semantic


def _bundle_rows(repo: Any, paths: list[str], before: Version, after: Version, against: str, target: str,
                 lang: str) -> tuple[list[dict[str, Any]], list[tuple[str, Delta]]]:
    """Each changed bundle with its figure deltas and its notice beside the published one; and the
    deltas that make a figure worse."""
    bundles: list[dict[str, Any]] = []
    deltas: list[tuple[str, Delta]] = []
    for path in paths:
        if not path.startswith("bundles/"):
            continue
        bundle_id = path[len("bundles/"):-len(".yaml")]
        old_model, new_model = before.models.get(bundle_id), after.models.get(bundle_id)
        old_compiled = Compiled(old_model, before.catalogues, lang) if old_model else None
        new_compiled = Compiled(new_model, after.catalogues, lang) if new_model else None
        bundles.append({
            "id": bundle_id, "published": bundle_id in before.data,
            "name": next((m.name.get(lang) for m in (new_model, old_model) if m is not None), bundle_id),
            "deltas": (found := _deltas(repo, against, target, path, old_compiled, new_compiled)),
            "published_notice": WRITERS["notice.md"](old_compiled) if old_compiled else "",
            "changed_notice": WRITERS["notice.md"](new_compiled) if new_compiled else "",
        })
        deltas += [(bundle_id, d) for d in found if d.worse]
    return bundles, deltas


def _how_changed(before_missing: bool, after_missing: bool) -> str:
    if before_missing:
        return str(gettext("新增"))
    return str(gettext("删除（停用）")) if after_missing else str(gettext("修改"))


def show(value: Any) -> str:
    if value is MISSING:
        return str(gettext("（不存在）"))
    from configurator.authoring.textedits import render_flow

    return value if isinstance(value, str) and "\n" in value else render_flow(value)


def conflict_labels(plan: UpdatePlan, repo: Any, lang: str) -> list[str]:
    """Each conflict named in words, by the names in the published version (一件事“…” · 事项“…” ·
    承诺时限), never as a YAML path."""
    data: dict[str, Any] = {}
    labels = []
    for path, _, found in plan.conflicts:
        if path not in data:
            data[path] = load_yaml(git.read_file(repo, plan.main, path) or b"{}", path).data
        labels.append(place_in_words(path, data[path], found.path, lang))
    return labels


def update_rows(plan: UpdatePlan, labels: list[str]) -> list[dict[str, Any]]:
    return [{"file": path, "index": index, "label": label, "original": show(found.original),
             "published": show(found.published), "mine": show(found.mine), "key": f"{path}#{index}"}
            for (path, index, found), label in zip(plan.conflicts, labels, strict=True)]


def parse_choices(plan: UpdatePlan, form: Mapping[str, str], labels: list[str]) -> tuple[dict[tuple[str, int], Any], list[str]]:
    """Each conflict's decision from the form: published, mine, original, or an edited value
    (read as YAML by our loader, so it means what the file would mean)."""
    choices: dict[tuple[str, int], Any] = {}
    problems = []
    for position, (path, index, found) in enumerate(plan.conflicts):
        label = labels[position]
        choice = form.get(f"choice-{position}", "")
        if choice in ("published", "mine", "original"):
            choices[(path, index)] = {"published": found.published, "mine": found.mine, "original": found.original}[choice]
        elif choice == "custom":
            raw = form.get(f"custom-{position}", "")
            if not found.path:
                choices[(path, index)] = raw.replace("\r\n", "\n")
                continue
            raw = raw.strip().replace("\r\n", "\n")
            wrapped = "value:\n" + "".join(f"  {line}\n" for line in raw.splitlines()) if "\n" in raw else f"value: {raw}\n"
            loaded = load_yaml(wrapped.encode("utf-8"), "value")
            if not raw or not loaded.usable or not isinstance(loaded.data, dict):
                problems.append(gettext("%(label)s：填写的值无法读取（数字直接写，如 3；几项写成 [a, b]）", label=label))
            else:
                choices[(path, index)] = loaded.data["value"]
        else:
            problems.append(gettext("%(label)s：请选择保留哪一个值", label=label))
    return choices, problems

"""Runners that need an engine beside the package: SpiffWorkflow for process.bpmn (the test
extra installs it), and over HTTP (a served app's address) the portal API's pre-check and
form.html posted without script."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

from configurator.conformance.corpus import Target
from configurator.conformance.report import ConsumerResult
from configurator.conformance.runners import compare_resolution

# A process that has not finished after this many rounds of user tasks is stuck (a loop).
_MAX_ROUNDS = 1000


def run_spiffworkflow(target: Target, artifacts: Mapping[str, str], data: dict[str, Any]) -> ConsumerResult:
    """process.bpmn on SpiffWorkflow: each case runs exactly its items (each after what it waits
    for), an ineligible case goes from intake to the fallback; each applicable item's escalation
    timer, evaluated by the engine on the case's answers, is the item's limit in this case."""
    result = ConsumerResult("process.bpmn (SpiffWorkflow)", target.name)
    try:
        from lxml import etree
        from SpiffWorkflow.bpmn import BpmnWorkflow
        from SpiffWorkflow.bpmn.parser import BpmnParser
        from SpiffWorkflow.util.task import TaskState
    except ImportError:
        result.skipped = "needs SpiffWorkflow (pip install -e '.[test]')"
        return result
    from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine

    bundle_id = target.compiled.bundle.id
    timers = _timers(artifacts["process.bpmn"])
    environment = PythonScriptEngine().environment
    parser = BpmnParser()
    parser.add_bpmn_xml(etree.fromstring(artifacts["process.bpmn"].encode()), filename=f"{bundle_id}.bpmn")
    try:
        spec = parser.get_spec(parser.get_process_ids()[0])
    except Exception as error:  # the engine refusing the file is the finding
        result.differ({"id": "(process)", "answers": None}, "parses", "parses", f"{type(error).__name__}: {error}")
        return result
    for case in data["cases"]:
        if case["kind"] == "partial":
            continue
        result.checked += 1
        workflow = BpmnWorkflow(spec)
        done: list[str] = []
        try:
            for _ in range(_MAX_ROUNDS):
                workflow.do_engine_steps()
                ready = [t for t in workflow.get_tasks(state=TaskState.READY) if type(t.task_spec).__name__ == "UserTask"]
                if not ready:
                    break
                for task in ready:
                    task.data.setdefault("answers", dict(case["answers"]))
                    task.run()
                    done.append(task.task_spec.name)
        except Exception as error:  # the engine's own errors are the disagreement to report
            result.differ(case, "runs", "completes", f"{type(error).__name__}: {error}")
            continue
        result.expect(case, "completes", True, workflow.is_completed())
        expected = case["expected"]
        if not expected["eligible"]:
            result.expect(case, "path", ["intake", "fallback"], done)
            continue
        # an item runs as task_<id> (escalated when its limit passes) or, in a case whose limit is
        # 0, as instant_<id> (no timer): writers/bpmn.py
        ran_as = {name.split("_", 1)[1]: name for name in done if name.startswith(("task_", "instant_"))}
        ran = [name.split("_", 1)[1] for name in done if name.startswith(("task_", "instant_"))]
        result.expect(case, "tasks", sorted(i["id"] for i in expected["items"]), sorted(ran))
        for item in expected["items"]:
            # the escalation timer: the item's limit in this case; none for a same-day case
            duration = timers.get(ran_as.get(item["id"], f"task_{item['id']}"))
            try:
                got = None if duration is None else environment.evaluate(duration, {"answers": dict(case["answers"])})
            except Exception as error:  # an expression the engine cannot evaluate is the finding
                got = f"{type(error).__name__}: {error}"
            want = f"P{item['promised_days']}D" if item["promised_days"] > 0 else None
            result.expect(case, f"timer of {item['id']}", want, got)
            for before in item["after"]:
                if before in ran and item["id"] in ran and ran.index(before) > ran.index(item["id"]):
                    result.differ(case, f"order of {item['id']}", f"after {before}", ran)
    return result


def _timers(process: str) -> dict[str, str]:
    """Task id → the duration expression of the timer on its boundary."""
    from xml.etree import ElementTree

    model = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
    found = {}
    for event in ElementTree.fromstring(process.encode()).iter(f"{model}boundaryEvent"):
        duration = event.find(f"{model}timerEventDefinition/{model}timeDuration")
        if duration is not None and duration.text:
            found[event.get("attachedToRef", "")] = duration.text
    return found


def post_json(url: str, body: Any, timeout: float = 60) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                                     headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        text = error.read()
        try:
            return error.code, json.loads(text)
        except ValueError:
            return error.code, text.decode("utf-8", "replace")


def pre_check_runner(base_url: str) -> Any:
    """The pre-check of the portal API served at ``base_url`` (the regional one for a region)."""

    def run_pre_check(target: Target, artifacts: Mapping[str, str], data: dict[str, Any]) -> ConsumerResult:
        bundle_id = target.compiled.bundle.id
        region = f"/regions/{target.region}" if target.region else ""
        result = ConsumerResult("pre-check (HTTP)" if not target.region else "regional pre-check (HTTP)", target.name)
        url = f"{base_url}/api{region}/bundles/{bundle_id}/check"
        cases = {case["id"]: case for case in data["cases"]}
        for application in data["applications"]:
            result.checked += 1
            body = dict(application["application"])
            if data["received"]:
                body["received"] = data["received"]
            status, answer = post_json(url, body)
            expected = application["expected"]
            verdict = {200: "fallback" if isinstance(answer, dict) and answer.get("eligible") is False else "accepted",
                       422: "refused"}.get(status, f"HTTP {status}")
            if verdict != expected["verdict"]:
                result.differ(application, "verdict", expected["verdict"],
                              {"status": status, "errors": answer.get("errors") if isinstance(answer, dict) else answer})
                continue
            if verdict == "refused":
                pointers = {e.get("pointer") for e in answer.get("errors", [])}
                # a required entry left out is reported on the object that lacks it (JSON Schema's
                # ``required``), e.g. /fields for /fields/name: that place is right too
                accepted = set(expected["pointers"]) | {p.rsplit("/", 1)[0] for p in expected["pointers"]
                                                        if application["kind"].startswith("missing") or application["kind"] == "partial"}
                if expected["pointers"] and not pointers & accepted:
                    result.differ(application, "pointers", expected["pointers"], sorted(p for p in pointers if p))
            else:
                compare_resolution(result, cases[application["case"]], answer, application["application"])
        return result

    return run_pre_check


def form_fields_of(application: dict[str, Any]) -> list[tuple[str, str]]:
    """An application as form.html posts it: ``group-id`` names, one pair per value of a list,
    yes/no as true/false, uploads by file name."""
    pairs = []
    for group in ("situations", "fields", "uploads"):
        for key, value in (application.get(group) or {}).items():
            for one in value if isinstance(value, list) else [value]:
                pairs.append((f"{group}-{key}", "true" if one is True else "false" if one is False else str(one)))
    return pairs


def _changed(application: dict[str, Any]) -> list[Any]:
    """The ill-typed values of an application (the ones its note names)."""
    named = application["note"].split(" ")[0]
    return [value for group in application["application"].values() for key, value in group.items() if key == named]


def form_post_runner(base_url: str) -> Any:
    """form.html posted without script to the server (the page's own action): 422 with the
    problems for an application to correct, 200 with the notice for a valid one, 200 with the
    reasons and the fallback window for a case outside the bundle."""

    def run_form_post(target: Target, artifacts: Mapping[str, str], data: dict[str, Any]) -> ConsumerResult:
        result = ConsumerResult("form.html post (HTTP)", target.name)
        if target.region:
            result.skipped = "the server answers form.html posts for the provincial standard only"
            return result
        url = f"{base_url}/api/bundles/{target.compiled.bundle.id}/form.html"
        cases = {case["id"]: case for case in data["cases"]}
        names = {item.id: target.compiled.text(item.name) for item in target.compiled.bundle.items}
        for application in data["applications"]:
            if application["kind"] == "ill-typed" and not isinstance(next(iter(_changed(application)), ""), str):
                continue  # a number where text is asked is text again once posted: nothing a form can send wrong
            result.checked += 1
            body = urllib.parse.urlencode(form_fields_of(application["application"])).encode()
            request = urllib.request.Request(url, data=body, method="POST",
                                             headers={"Content-Type": "application/x-www-form-urlencoded"})
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    status, page = response.status, response.read().decode("utf-8")
            except urllib.error.HTTPError as error:
                status, page = error.code, error.read().decode("utf-8", "replace")
            expected = application["expected"]["verdict"]
            case = cases[application["case"]]["expected"]
            got = {422: "refused", 200: "fallback" if not case["eligible"] or "<form" in page else "accepted"}.get(
                status, f"HTTP {status}")
            if expected == "fallback" and status == 200:
                got = "fallback"
            result.expect(application, "verdict", expected, got)
            if got == expected == "accepted":  # the notice of the case names each of its items
                result.expect(application, "items named", [], [names[i["id"]] for i in case["items"] if names[i["id"]] not in page])
        return result

    return run_form_post

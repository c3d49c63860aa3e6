// The conformance corpus read by a JavaScript portal and by Camunda 8's FEEL.
//
//   node conformance.mjs RUN.json
//
// RUN.json (written by configurator/conformance/node.py) lists targets, each with the folder of
// its artifacts and its corpus file (configurator/conformance/corpus.py). For every target:
//   - ajv (2020-12, strict) on form.schema.json: it accepts exactly the applications whose
//     expected verdict is "accepted";
//   - json-logic-js on routing.json: the eligibility rules fail exactly as the plan says, the
//     tasks that apply are the case's items, with the case's time limits, visits and stage days;
//   - json-logic-js on form.ui.json: the questions, fields and uploads shown are the case's;
//   - feelin on process.camunda8.bpmn: the flow to the fallback is taken exactly for an
//     ineligible case, the flow into each task exactly when its item applies, and each timer
//     of an applicable item falls on the item's due date (special stages included).
// It prints one JSON report: per consumer and target, cases read and disagreements.
import fs from "node:fs";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import jsonLogic from "json-logic-js";
import { BpmnModdle } from "bpmn-moddle";
import zeebe from "zeebe-bpmn-moddle/resources/zeebe.json" with { type: "json" };
import { evaluate } from "feelin";

const run = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const read = (file) => JSON.parse(fs.readFileSync(file, "utf8"));
const sorted = (list) => [...list].sort();
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const results = [];

function consumer(name, target) {
  const result = { consumer: name, target: target.name, checked: 0, disagreements: [], skipped: null };
  results.push(result);
  result.expect = (entry, what, expected, got, input) => {
    if (!same(expected, got)) {
      result.disagreements.push({ case: entry.id, what, expected, got, input: input ?? entry.answers ?? entry.application });
    }
  };
  return result;
}

const inCase = (cases, answers, fallback) => {
  const found = (cases || []).find((c) => jsonLogic.truthy(jsonLogic.apply(c.when, answers)));
  return found ? found.value : fallback;
};

for (const target of run.targets) {
  const corpus = read(target.corpus);
  const artifact = (name) => path.join(target.dir, name);

  const schema = consumer("form.schema.json (ajv)", target);
  try {
    const validate = new Ajv2020({ strict: true, allErrors: true }).compile(read(artifact("form.schema.json")));
    for (const application of corpus.applications) {
      if (application.expected.field_rules) continue; // refused by a cross-field rule: routing.json carries those
      schema.checked += 1;
      schema.expect(application, "verdict", application.expected.verdict === "accepted", validate(application.application));
    }
  } catch (error) {
    schema.skipped = `ajv could not compile form.schema.json: ${error}`;
  }

  const routing = read(artifact("routing.json"));
  const logic = consumer("routing.json (json-logic-js)", target);
  for (const entry of corpus.cases) {
    if (entry.kind === "partial") continue;
    logic.checked += 1;
    const answers = entry.answers;
    const expected = entry.expected;
    const failed = routing.eligibility.filter((r) => !jsonLogic.truthy(jsonLogic.apply(r.rule, answers))).map((r) => r.id);
    logic.expect(entry, "eligibility", expected.failed_rules, failed);
    if (!expected.eligible) continue;
    const applies = routing.tasks.filter((t) => jsonLogic.truthy(jsonLogic.apply(t.when, answers)));
    logic.expect(entry, "tasks", sorted(expected.items.map((i) => i.id)), sorted(applies.map((t) => t.id)));
    for (const item of expected.items) {
      const task = routing.tasks.find((t) => t.id === item.id);
      if (!task) continue;
      logic.expect(entry, `promised_days of ${item.id}`, item.promised_days,
                   inCase(task.time_limit.promised_cases, answers, task.time_limit.promised_days));
      logic.expect(entry, `visits of ${item.id}`, item.visits, inCase(task.visits_cases, answers, task.visits));
      logic.expect(entry, `special_stages of ${item.id}`, item.special_stages.map((s) => s.days),
                   task.special_stages.map((s) => inCase(s.days_cases, answers, s.days)));
    }
  }

  const ui = read(artifact("form.ui.json"));
  const shown = (group, answers) => {
    const hints = ui[group] || {};
    const order = hints["ui:order"] || Object.keys(hints).filter((k) => !k.startsWith("ui:"));
    return order.filter((k) => hints[k] && jsonLogic.truthy(jsonLogic.apply(hints[k]["ui:options"]?.when ?? true, answers)));
  };
  const form = consumer("form.ui.json (json-logic-js)", target);
  for (const entry of corpus.cases) {
    form.checked += 1;
    const expected = entry.expected;
    // a plain JsonLogic reader cannot tell a question waiting on an unanswered one (docs/portals.md)
    const waiting = new Set(entry.kind === "partial" ? expected.waiting : []);
    form.expect(entry, "situations shown", sorted(expected.asked),
                sorted(shown("situations", entry.answers).filter((k) => !waiting.has(k))));
    if (!expected.eligible || entry.kind === "partial") continue;
    form.expect(entry, "fields shown", sorted(expected.form_fields), sorted(shown("fields", entry.answers)));
    form.expect(entry, "uploads shown", sorted(expected.materials.filter((m) => m.source === "applicant").map((m) => m.id)),
                sorted(shown("uploads", entry.answers)));
  }

  const camunda = consumer("process.camunda8.bpmn (feelin)", target);
  let root;
  try {
    ({ rootElement: root } = await new BpmnModdle({ zeebe }).fromXML(fs.readFileSync(artifact("process.camunda8.bpmn"), "utf8")));
  } catch (error) {
    camunda.skipped = `bpmn-moddle could not read process.camunda8.bpmn: ${error}`;
    continue;
  }
  const process = root.rootElements.find((e) => e.$type === "bpmn:Process");
  const flows = process.flowElements.filter((e) => e.$type === "bpmn:SequenceFlow" && e.conditionExpression);
  const toFallback = flows.filter((f) => f.targetRef.id === "fallback");
  // an item runs as task_<id> (with its timer) or, in a case whose limit is 0, as instant_<id> (none)
  const intoTask = flows.filter((f) => /^(task|instant)_/.test(f.targetRef.id) && f.sourceRef.id.startsWith("applies_"));
  const itemOf = (id) => id.slice(id.indexOf("_") + 1);
  const timers = process.flowElements.filter((e) => e.$type === "bpmn:BoundaryEvent" && e.eventDefinitions?.[0]?.timeDate);
  const feel = (text, variables) => {
    const result = evaluate(text.slice(1), variables);
    return result.warnings.length ? `warnings: ${result.warnings.map((w) => w.message).join("; ")}` : result.value;
  };
  for (const entry of corpus.cases) {
    if (entry.kind === "partial") continue;
    camunda.checked += 1;
    const expected = entry.expected;
    const variables = { application: { situations: entry.answers }, due_dates: expected.due?.timers ?? {} };
    const fallback = toFallback.some((f) => feel(f.conditionExpression.body, variables) === true);
    camunda.expect(entry, "fallback", !expected.eligible, fallback);
    if (!expected.eligible) continue;
    const taken = intoTask.filter((f) => feel(f.conditionExpression.body, variables) === true).map((f) => f.targetRef.id);
    camunda.expect(entry, "tasks", sorted(expected.items.map((i) => i.id)), sorted(taken.map(itemOf)));
    if (!expected.due || expected.due.error) continue;
    for (const item of expected.items) {
      const task = taken.find((id) => itemOf(id) === item.id) ?? `task_${item.id}`;
      const timer = timers.find((t) => t.attachedToRef.id === task);
      const got = timer ? feel(timer.eventDefinitions[0].timeDate.body, variables) : null;
      const day = got === null ? null : typeof got === "string" ? got.slice(0, 10)
        : got?.toISO ? got.toISO().slice(0, 10) : String(got).slice(0, 10);
      const want = item.promised_days > 0 ? expected.due.items_with_special_stages[item.id] : null;
      camunda.expect(entry, `timer of ${item.id}`, want, day);
    }
  }
}
console.log(JSON.stringify({ results }));

// Camunda 8's view of every generated process.camunda8.bpmn.
//
//   node check_camunda8.mjs CASES.json
//
// CASES.json (written by tests/test_camunda8.py) lists processes, each with the conditions the
// configurator put on its sequence flows (as JsonLogic) and answer sets with the verdict of the
// Python evaluator for every flow. For each process this script
//   - parses it with bpmn-moddle + zeebe-bpmn-moddle and keeps every import warning;
//   - lints it with bpmnlint: recommended + camunda-compat's profile for the newest Camunda 8
//     (the profile name comes from CASES.json) and keeps every report, error or warning;
//   - evaluates every FEEL condition (the text after Zeebe's "=") with feelin, and the same
//     condition's JsonLogic with json-logic-js, on every answer set, and keeps any disagreement
//     between the three, any FEEL warning and any value that is not a boolean;
//   - evaluates every timer date, task due date and task input mapping on the start variables
//     (CASES.json gives them) and reports what each task would receive.
// It prints one JSON report.
import fs from "node:fs";
import { createRequire } from "node:module";
import { BpmnModdle } from "bpmn-moddle";
import zeebe from "zeebe-bpmn-moddle/resources/zeebe.json" with { type: "json" };
import { evaluate } from "feelin";
import jsonLogic from "json-logic-js";

const require = createRequire(import.meta.url);
const { Linter } = require("bpmnlint");
const NodeResolver = require("bpmnlint/lib/resolver/node-resolver");

const cases = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
// A new moddle and linter per file, as the bpmnlint CLI does: rules keep state across one lint run.
const config = { extends: ["bpmnlint:recommended", `plugin:camunda-compat/${cases.profile}`] };
const report = { processes: [], lint: [], warnings: [], mismatches: [], errors: [], evaluations: 0 };

for (const bundle of cases.bundles) {
  let root, warnings;
  const moddle = new BpmnModdle({ zeebe });
  const linter = new Linter({ config, resolver: new NodeResolver({ require }) });
  try {
    ({ rootElement: root, warnings } = await moddle.fromXML(fs.readFileSync(bundle.file, "utf8")));
  } catch (error) {
    report.errors.push({ bundle: bundle.id, where: "parse", error: String(error) });
    continue;
  }
  report.warnings.push(...warnings.map((w) => ({ bundle: bundle.id, warning: String(w.message) })));
  for (const [rule, found] of Object.entries(await linter.lint(root))) {
    for (const entry of found) {
      report.lint.push({ bundle: bundle.id, rule, category: entry.category, id: entry.id, message: entry.message });
    }
  }
  const process = root.rootElements.find((e) => e.$type === "bpmn:Process");
  const userTasks = process.flowElements.filter((e) => e.$type === "bpmn:UserTask");
  const zeebeTasks = userTasks.filter((t) => (t.extensionElements?.values || []).some((v) => v.$type === "zeebe:UserTask"));
  const flows = process.flowElements.filter((e) => e.$type === "bpmn:SequenceFlow" && e.conditionExpression);
  const seen = [];
  for (const flow of flows) {
    const text = flow.conditionExpression.body;
    const rule = bundle.rules[flow.id];
    if (!text.startsWith("=") || rule === undefined) {
      report.errors.push({ bundle: bundle.id, where: flow.id, error: `no "=" prefix or no JsonLogic for ${text}` });
      continue;
    }
    seen.push(flow.id);
    for (const answerCase of bundle.answer_cases) {
      const context = { ...bundle.variables, application: { situations: answerCase.answers } };
      const feel = evaluate(text.slice(1), context);
      const logic = Boolean(jsonLogic.apply(rule, answerCase.answers));
      const python = answerCase.expected[flow.id];
      report.evaluations += 1;
      if (feel.value !== python || logic !== python || feel.warnings.length) {
        report.mismatches.push({ bundle: bundle.id, flow: flow.id, feel: text, answers: answerCase.answers,
                                 python, feelin: feel.value, jsonlogic: logic, warnings: feel.warnings });
      }
    }
  }
  // The timers and due dates, and each task's input mappings, on the variables an operator
  // passes in (applied in order, each seeing the ones before, as Zeebe applies them).
  const value = (text) => {
    const result = evaluate(text.slice(1), bundle.variables);
    if (result.warnings.length) report.mismatches.push({ bundle: bundle.id, feel: text, warnings: result.warnings });
    return result.value === null ? null : JSON.parse(JSON.stringify(result.value));
  };
  const timerDates = Object.fromEntries(process.flowElements.filter((e) => e.$type === "bpmn:BoundaryEvent")
    .map((e) => [e.id, e.eventDefinitions[0]?.timeDate?.body?.startsWith("=") ? value(e.eventDefinitions[0].timeDate.body) : null]));
  const tasks = {};
  for (const task of userTasks) {
    const extensions = task.extensionElements?.values || [];
    const schedule = extensions.find((v) => v.$type === "zeebe:TaskSchedule");
    const mapping = extensions.find((v) => v.$type === "zeebe:IoMapping");
    const local = {};
    for (const input of mapping?.inputParameters || []) {
      const result = evaluate(input.source.slice(1), { ...bundle.variables, ...local });
      local[input.target] = result.value;
    }
    tasks[task.id] = {
      candidate_groups: extensions.find((v) => v.$type === "zeebe:AssignmentDefinition")?.candidateGroups,
      due_date: schedule ? value(schedule.dueDate) : null,
      inputs: JSON.parse(JSON.stringify(local)),
      outputs: (mapping?.outputParameters || []).map((o) => [o.source, o.target]),
    };
  }
  report.processes.push({ bundle: bundle.id, user_tasks: userTasks.length, zeebe_user_tasks: zeebeTasks.length,
                          conditions: seen, timers: timerDates, tasks });
}
console.log(JSON.stringify(report));

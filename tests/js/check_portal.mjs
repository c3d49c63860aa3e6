// A JavaScript portal's view of the generated artifacts.
//
//   node check_portal.mjs CASES.json
//
// CASES.json (written by tests/test_portal_js.py) names a build folder and holds answer sets
// and applications with the verdicts the configurator computed. This script compiles every
// form.schema.json with ajv in 2020-12 strict mode, validates every routing.json against
// schemas/routing.schema.json, evaluates every JsonLogic rule with json-logic-js, and prints
// one JSON report: what disagreed (nothing, when all is well).
import fs from "node:fs";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import jsonLogic from "json-logic-js";
import { BpmnModdle } from "bpmn-moddle";

const cases = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const read = (file) => JSON.parse(fs.readFileSync(file, "utf8"));
const report = { compiled: [], mismatches: [], errors: [], rules: 0, applications: 0, verdicts: 0, bpmn: [] };
const moddle = new BpmnModdle();

const routingAjv = new Ajv2020({ strict: true, allErrors: true });
const routingSchema = routingAjv.compile(read(cases.routing_schema));

for (const bundle of cases.bundles) {
  const folder = path.join(cases.dist, bundle.id);
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  let validate;
  try {
    validate = ajv.compile(read(path.join(folder, "form.schema.json")));
    report.compiled.push(bundle.id);
  } catch (error) {
    report.errors.push({ bundle: bundle.id, where: "form.schema.json", error: String(error) });
    continue;
  }
  const routing = read(path.join(folder, "routing.json"));
  if (!routingSchema(routing)) {
    report.errors.push({ bundle: bundle.id, where: "routing.json", error: routingSchema.errors });
  }
  const rules = [
    ...routing.eligibility.map((r) => ["eligibility " + r.id, r.rule]),
    ...routing.tasks.map((t) => ["task " + t.id, t.when]),
    ...Object.entries(routing.departments).flatMap(([d, p]) => [
      ...p.fields.map((f) => [`${d} field ${f.id}`, f.when]),
      ...p.materials.map((m) => [`${d} material ${m.id}`, m.when]),
    ]),
  ];
  for (const answerCase of bundle.answer_cases) {
    for (const [name, rule] of rules) {
      const expected = answerCase.expected[name];
      const got = Boolean(jsonLogic.apply(rule, answerCase.answers));
      report.rules += 1;
      if (got !== expected) report.mismatches.push({ bundle: bundle.id, rule: name, answers: answerCase.answers, expected, got });
    }
  }
  for (const application of bundle.applications) {
    const got = validate(application.data);
    report.applications += 1;
    if (got !== application.valid) {
      report.mismatches.push({ bundle: bundle.id, application: application.data, expected: application.valid, got,
                               errors: validate.errors });
    }
  }
}
// The pre-check's verdict, as a portal reaches it: ajv on form.schema.json, then every
// cross-field rule of routing.json ("applies" and not "check" is broken) with json-logic-js.
for (const bundle of cases.verdicts || []) {
  const folder = path.join(cases.dist, bundle.id);
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  let validate;
  try {
    validate = ajv.compile(read(path.join(folder, "form.schema.json")));
  } catch (error) {
    report.errors.push({ bundle: bundle.id, where: "form.schema.json", error: String(error) });
    continue;
  }
  const rules = read(path.join(folder, "routing.json")).field_rules || [];
  for (const verdict of bundle.cases) {
    const valid = validate(verdict.application);
    const broken = rules.filter((r) => jsonLogic.truthy(jsonLogic.apply(r.applies, verdict.application))
                                       && !jsonLogic.truthy(jsonLogic.apply(r.check, verdict.application)))
                        .map((r) => r.id).sort();
    const accepted = valid && broken.length === 0;
    report.verdicts += 1;
    if (accepted !== verdict.accepted || JSON.stringify(broken) !== JSON.stringify(verdict.broken)) {
      report.mismatches.push({ bundle: bundle.id, case: verdict.name, application: verdict.application,
                               expected: { accepted: verdict.accepted, broken: verdict.broken },
                               got: { accepted, broken, errors: validate.errors } });
    }
  }
}
for (const bundle of cases.bundles) {
  const xml = fs.readFileSync(path.join(cases.dist, bundle.id, "process.bpmn"), "utf8");
  try {
    const { rootElement, warnings } = await moddle.fromXML(xml);
    const process = rootElement.rootElements.find((e) => e.$type === "bpmn:Process");
    const diagram = rootElement.diagrams && rootElement.diagrams[0];
    report.bpmn.push({ bundle: bundle.id, warnings: warnings.map((w) => String(w.message)),
                       tasks: process.flowElements.filter((e) => e.$type === "bpmn:UserTask").length,
                       shapes: diagram ? diagram.plane.planeElement.length : 0 });
  } catch (error) {
    report.errors.push({ bundle: bundle.id, where: "process.bpmn", error: String(error) });
  }
}
console.log(JSON.stringify(report));

// Every JavaScript consumer of a condition, on the same answer sets.
//
//   node check_conditions.mjs CASES.json
//
// CASES.json (written by tests/test_any_ticked.py) holds conditions, each as JsonLogic, FEEL and
// a JSON Schema of the answers, the form script's `truth` function as form.html carries it, and
// answer sets. Prints, per condition and answer set, what json-logic-js, portal/rjsf's `truth`,
// form.html's `truth`, feelin (Camunda 8) and ajv decide.
import fs from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import jsonLogic from "json-logic-js";
import { evaluate } from "feelin";
import { truth as rjsfTruth } from "../../portal/rjsf/rules.js";

const cases = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const formTruth = new Function(`${cases.form_truth}\nreturn truth;`)();  // eslint-disable-line no-new-func
const ajv = new Ajv2020({ strict: true });
const results = cases.conditions.map((condition) => {
  const schema = ajv.compile(condition.schema);
  return cases.answer_sets.map((answers) => {
    const feel = evaluate(condition.feel, { answers });
    return {
      jsonlogic: Boolean(jsonLogic.apply(condition.jsonlogic, answers)),
      rjsf: Boolean(rjsfTruth(condition.jsonlogic, answers)),
      form_html: Boolean(formTruth(condition.jsonlogic, answers)),
      feelin: feel.value,
      feel_warnings: feel.warnings.length,
      ajv: schema(answers),
    };
  });
});
process.stdout.write(JSON.stringify(results));

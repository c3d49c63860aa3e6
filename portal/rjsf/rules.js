// The configurator's JsonLogic rules (form.ui.json `ui:options.when`, the eligibility rules) and
// what follows from them for a form's data. No dependencies: usable without React.
//
// Semantics are the configurator's: a comparison with a question not asked is false; a question
// asked and not answered yet (or whose asking waits on one) makes a rule "not yet known" unless
// the rest decides it anyway (`decide`: Kleene's three-valued logic, as the library's
// language/conditions/partial.py).

const has = (object, key) => Object.prototype.hasOwnProperty.call(object, key);

export function truth(rule, data) {
  if (rule === null || typeof rule !== "object" || Array.isArray(rule)) return rule;
  const op = Object.keys(rule)[0];
  const args = [].concat(rule[op]);
  const v = (i) => truth(args[i], data);
  switch (op) {
    case "var": return has(data, args[0]) ? data[args[0]] : null;
    case "and": return args.every((a) => truth(a, data));
    case "or": return args.some((a) => truth(a, data));
    case "!": return !truth(args[0], data);
    case "!!": return truthy(v(0));
    case "===": return v(0) === v(1);
    case "!==": return v(0) !== v(1);
    case "<": return v(0) !== null && v(0) < v(1);
    case "<=": return v(0) !== null && v(0) <= v(1);
    case ">": return v(0) !== null && v(0) > v(1);
    case ">=": return v(0) !== null && v(0) >= v(1);
    case "in": { const b = v(1); return !!b && b.indexOf(v(0)) !== -1; }
    default: throw new Error(`unsupported JsonLogic operator ${op}`);
  }
}

export function variables(rule, into = []) {
  if (rule && typeof rule === "object") {
    if (!Array.isArray(rule) && has(rule, "var")) into.push([].concat(rule.var)[0]);
    else for (const key of Object.keys(rule)) variables(rule[key], into);
  }
  return into;
}

/**
 * The rule's truth for `data`: true, false, or null when the questions in `unknown` (asked and not
 * answered yet, or waiting on one) could still make it either.
 */
export function decide(rule, data, unknown) {
  if (!variables(rule).some((name) => unknown.has(name))) return !!truth(rule, data);
  const op = rule && typeof rule === "object" && !Array.isArray(rule) ? Object.keys(rule)[0] : null;
  const args = op === null ? [] : [].concat(rule[op]);
  if (op === "!") {
    const inner = decide(args[0], data, unknown);
    return inner === null ? null : !inner;
  }
  if (op === "and" || op === "or") {
    const deciding = op === "or";  // the value that decides an or (true) or an and (false)
    let undecided = false;
    for (const arg of args) {
      const value = decide(arg, data, unknown);
      if (value === null) undecided = true;
      else if (value === deciding) return deciding;
    }
    return undecided ? null : !deciding;
  }
  return null;  // a comparison reading a question not answered yet
}

/**
 * The answers of the questions asked, in the questions' order, and the questions not known yet:
 * asked and unanswered, or asked depending on one of those. A question not asked is neither.
 */
export function askedAnswers(uiSchema, answers) {
  const situations = uiSchema.situations || {};
  const kept = {};
  const unknown = new Set();
  for (const key of situations["ui:order"] || Object.keys(answers || {})) {
    const when = ((situations[key] || {})["ui:options"] || {}).when;
    const asked = when === undefined ? true : decide(when, kept, unknown);
    if (asked === null) unknown.add(key);
    // asked, a "none of these" question is answered even when nothing is ticked (as form.html reads it);
    // any other question is answered when it holds something (an empty list or text is not an answer)
    else if (asked && ((situations[key] || {})["ui:options"] || {}).allowNone) kept[key] = ((answers || {})[key] || []).filter((v) => !empty(v));
    else if (asked && !empty((answers || {})[key])) kept[key] = answers[key];
    else if (asked) unknown.add(key);
  }
  return { kept, unknown };
}

/** The eligibility rules (form.ui.json root `ui:options.eligibility`) the answers decidedly fail. */
export function ineligibleReasons(uiSchema, answers) {
  const rules = (uiSchema["ui:options"] || {}).eligibility || [];
  const { kept, unknown } = askedAnswers(uiSchema, answers);
  return rules.filter((r) => decide(r.rule, kept, unknown) === false);
}

/** The questions the eligibility rules read: asked first, and the only ones left when a case is out. */
export function decidingQuestions(uiSchema) {
  const rules = (uiSchema["ui:options"] || {}).eligibility || [];
  return new Set(rules.flatMap((r) => variables(r.rule)));
}

/**
 * Whether an entry is shown: its `when` decidedly holds on the answers. A rule reading a question in
 * `unknown` (asked and not answered yet) waits for it: 非婚生育说明 is not asked for before the
 * marriage question is answered (an unanswered question is not "no").
 */
export function shown(uiEntry, answers, unknown = new Set()) {
  const when = ((uiEntry || {})["ui:options"] || {}).when;
  return when === undefined || decide(when, answers, unknown) === true;
}

const empty = (value) => value === undefined || value === null || value === "" ||
  (Array.isArray(value) && value.filter((v) => !empty(v)).length === 0);

/**
 * The application as the schema wants it: what is hidden is left out (a question, field or upload
 * that does not apply must be absent, not empty), and so is what the citizen left empty.
 */
export function prune(formData, uiSchema) {
  const data = formData || {};
  const out = { situations: {}, fields: {}, uploads: {} };
  // Questions in their order: each one's visibility depends only on answers before it.
  const { kept: answers, unknown } = askedAnswers(uiSchema, data.situations || {});
  out.situations = answers;
  for (const group of ["fields", "uploads"]) {
    const values = data[group] || {};
    for (const key of Object.keys(values)) {
      let value = values[key];
      if (Array.isArray(value)) value = value.filter((v) => !empty(v));
      if (!empty(value) && shown((uiSchema[group] || {})[key], answers, unknown)) out[group][key] = value;
    }
  }
  return out;
}

// Cross-field rules (form.ui.json root `ui:options.fieldRules`, the JsonLogic of routing.json's
// field_rules over the whole application). Evaluated with json-logic-js's meaning of each operator
// they use, so a portal that runs json-logic-js itself reaches the same verdict.
const truthy = (value) => (Array.isArray(value) ? value.length > 0 : !!value);

function lookup(data, key) {
  let value = data;
  for (const part of String(key).split(".")) {
    value = value !== null && typeof value === "object" && has(value, part) ? value[part] : null;
    if (value === undefined) value = null;
  }
  return value;
}

export function calc(rule, data) {
  if (rule === null || typeof rule !== "object" || Array.isArray(rule)) return rule;
  const op = Object.keys(rule)[0];
  const args = [].concat(rule[op]);
  if (op === "and" || op === "or") {
    let value = op === "and";
    for (const arg of args) {
      value = calc(arg, data);
      if (truthy(value) !== (op === "and")) return value;
    }
    return value;
  }
  const v = args.map((arg) => calc(arg, data));
  switch (op) {
    case "var": return lookup(data, v[0]);
    case "missing": return v.filter((key) => { const x = lookup(data, key); return x === null || x === ""; });
    case "!": return !truthy(v[0]);
    case "===": return v[0] === v[1];
    case "!==": return v[0] !== v[1];
    case "<": return v.length === 3 ? v[0] < v[1] && v[1] < v[2] : v[0] < v[1];
    case "<=": return v.length === 3 ? v[0] <= v[1] && v[1] <= v[2] : v[0] <= v[1];
    case ">": return v[0] > v[1];
    case ">=": return v[0] >= v[1];
    case "in": return !!v[1] && typeof v[1].indexOf === "function" && v[1].indexOf(v[0]) !== -1;
    case "+": return v.reduce((sum, x) => sum + parseFloat(x), 0);
    case "-": return v.length === 1 ? -v[0] : v[0] - v[1];
    default: throw new Error(`unsupported JsonLogic operator ${op}`);
  }
}

/** The cross-field rules the application breaks: each applies and its check is false. */
export function brokenRules(uiSchema, application) {
  const rules = (uiSchema["ui:options"] || {}).fieldRules || [];
  return rules.filter((r) => truthy(calc(r.applies, application)) && !truthy(calc(r.check, application)));
}

// GB 11643 (citizen ID number) and GB 32100 (unified social credit code) check characters.
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** The check character a well-formed number should end with, or null when it is not well formed. */
export function expectedCheck(kind, value) {
  let total = 0;
  if (kind === "id_number" && /^[1-9][0-9]{16}[0-9X]$/.test(value)) {
    for (let i = 0; i < 17; i++) total += Number(value[i]) * ID_WEIGHTS[i];
    return "10X98765432"[total % 11];
  }
  if (kind === "uscc" && /^[0-9A-HJ-NPQRTUWXY]{18}$/.test(value)) {
    for (let i = 0; i < 17; i++) total += USCC_CHARS.indexOf(value[i]) * USCC_WEIGHTS[i];
    return USCC_CHARS[(31 - (total % 31)) % 31];
  }
  return null;
}

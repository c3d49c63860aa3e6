// react-jsonschema-form for the configurator's merged form, working out of the box:
//
//   import { ApplicationForm } from "@configurator/rjsf";
//   <ApplicationForm schema={formSchema} uiSchema={formUi} onSubmit={(application) => send(application)}
//                    upload={async (file) => storeAndReturnReference(file)} />
//
// What it adds to RJSF (everything else is RJSF's own, so themes and props still apply):
// - a `when`-rule visibility hook: a question, field or upload shows only while its
//   `ui:options.when` holds; what is hidden or left empty is left out of the data, so an
//   application never carries a slot that does not apply (the schema wants it absent);
// - eligibility first: as soon as the answers decidedly fail an eligibility rule, the reasons and
//   the fallback window (name, address, phone, hours) replace the submit button, only the
//   deciding questions stay on screen, and nothing can be submitted;
// - an `upload` widget (a file input; `upload(file)` turns each file into a reference);
// - messages in the form's language (zh-CN or en), next to each field, check digits of ID
//   numbers and credit codes included; yes/no labels come from the schema;
// - cross-field rules (`ui:options.fieldRules`): a broken rule's message on its first field;
// - no defaults that answer a question for the citizen (no `false` for a required yes/no, no
//   first option, no empty array items).
import React, { useMemo, useState } from "react";
import Form, { getDefaultRegistry } from "@rjsf/core";
import { ariaDescribedByIds } from "@rjsf/utils";
import { customizeValidator } from "@rjsf/validator-ajv8";
import Ajv2020 from "ajv/dist/2020.js";
import { askedAnswers, brokenRules, decidingQuestions, expectedCheck, ineligibleReasons, prune, shown } from "./rules.js";
import { localise, text, translator } from "./messages.js";

export * from "./rules.js";
export { localise, text, translator } from "./messages.js";

const h = React.createElement;
const DefaultFieldTemplate = getDefaultRegistry().templates.FieldTemplate;

/** ajv in JSON Schema 2020-12 mode, as the schemas are written. */
export const validator = customizeValidator({ AjvClass: Ajv2020 });

/** RJSF must not invent answers: every default-filling behaviour is off. */
export const defaultFormStateBehavior = {
  arrayMinItems: { populate: "never" },
  emptyObjectFields: "skipEmptyDefaults",
  constAsDefaults: "never",
  requiredBooleanDefault: "skip",
};

/** Shows a field only while its `when` holds; once a case is out, only the deciding questions. */
export function FieldTemplate(props) {
  const context = props.registry.formContext || {};
  const path = (props.fieldPathId && props.fieldPathId.path) || [];
  if (path.length >= 2 && !shown(props.uiSchema, context.answers || {}, context.unknown)) return null;
  if (context.ineligible && path.length >= 1 && !(path[0] === "situations" &&
      (path.length === 1 || context.deciding.has(path[1])))) return null;
  return h(DefaultFieldTemplate, props);
}

function readAsDataUrl(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

/** A file input for an upload slot: its value is the list of references `upload(file)` returns. */
export function UploadWidget(props) {
  const { id, required, disabled, readonly, onChange, registry, value } = props;
  const context = registry.formContext || {};
  const [names, setNames] = useState([]);
  const chosen = names.length ? names : (Array.isArray(value) ? value.filter((v) => !String(v).startsWith("data:")) : []);
  return h("div", { className: "configurator-upload" },
    h("input", {
      type: "file", id, name: id, multiple: true, required, disabled: disabled || readonly,
      "aria-required": required ? "true" : undefined, "aria-describedby": ariaDescribedByIds(id),
      onChange: async (event) => {
        const files = Array.from(event.target.files || []);
        setNames(files.map((f) => f.name));
        const references = await Promise.all(files.map((f) => (context.upload || readAsDataUrl)(f)));
        onChange(references.length ? references : undefined);
      },
    }),
    chosen.length ? h("p", { className: "configurator-upload-names" },
      text(context.lang, "uploaded", { names: chosen.join(context.lang === "en" ? ", " : "、") })) : null);
}

export const widgets = { upload: UploadWidget };
export const templates = { FieldTemplate };

/** The reasons and the fallback window, shown instead of the submit button. */
export function FallbackNotice({ reasons, uiSchema, lang }) {
  const fallback = (uiSchema["ui:options"] || {}).fallback || { rows: [] };
  return h("div", { className: "configurator-ineligible", role: "alert" },
    h("h2", null, text(lang, "ineligible")),
    h("ul", null, reasons.map((r) => h("li", { key: r.id }, r.message))),
    h("p", null, text(lang, "next")),
    fallback.message ? h("p", null, fallback.message) : null,
    h("dl", null, fallback.rows.flatMap(([label, value]) => [h("dt", { key: `${label}:t` }, label),
                                                             h("dd", { key: `${label}:d` }, value)])));
}

function checkedFields(uiSchema) {
  const fields = uiSchema.fields || {};
  return Object.keys(fields).filter((k) => !k.startsWith("ui:") && (fields[k]["ui:options"] || {}).check)
    .map((k) => [k, fields[k]["ui:options"].check]);
}

/** The eligibility entries of the schema's allOf (those without "if"), by index, with their message. */
function eligibilityEntries(schema) {
  const entries = new Map();
  (schema.allOf || []).forEach((entry, index) => { if (!("if" in entry)) entries.set(index, entry.description); });
  return entries;
}

/** The allOf entries that state a cross-field rule: customValidate reports those with the rule's message. */
function fieldRuleEntries(schema) {
  return new Set((schema.allOf || []).flatMap((entry, index) =>
    String(entry.$comment || "").startsWith("field_rule:") ? [index] : []));
}

/**
 * The schema RJSF is given: the eligibility entries left out (each replaced by an empty schema, so
 * the other entries keep their index). RJSF merges a root `allOf` entry without `if` into the
 * form's schema and clears any answer that differs from a `const` there, so a 否 that fails a rule
 * such as `born_in_province_hospital: {const: true}` would be unticked at once and the case never
 * reach the fallback window. Eligibility is this package's own job (`ineligibleReasons`), as it is
 * the pre-check's (its request schema leaves these entries out too).
 */
export function formSchemaFor(schema) {
  if (!Array.isArray(schema.allOf)) return schema;
  return { ...schema, allOf: schema.allOf.map((entry) => ("if" in entry ? entry : {})) };
}

/** RJSF's errors in the citizen's words, one per field. */
export function transformErrorsFor(schema, lang) {
  const eligibility = eligibilityEntries(schema);
  const fieldRules = fieldRuleEntries(schema);
  const ruleOf = (error) => {
    const match = /^#\/allOf\/(\d+)\//.exec(error.schemaPath || "");
    return match && eligibility.has(Number(match[1])) ? eligibility.get(Number(match[1])) : null;
  };
  return (errors) => {
    const seen = new Set();
    const out = [];
    // A field's own mistake first (a missing answer is "required", not the rule it leaves unmet).
    const own = errors.filter((e) => !fieldRules.has(Number((/^#\/allOf\/(\d+)\//.exec(e.schemaPath || "") || [])[1])));
    const ordered = [...own.filter((e) => ruleOf(e) === null), ...own.filter((e) => ruleOf(e) !== null)];
    for (const error of ordered) {
      const message = ruleOf(error) ?? localise(error, lang);
      if (message === null || seen.has(error.property)) continue;
      seen.add(error.property);
      out.push({ ...error, message, stack: message });
    }
    return out;
  };
}

export function ApplicationForm({ schema, uiSchema, onSubmit, onChange, upload, formData: initial, ...rest }) {
  const lang = (uiSchema["ui:options"] || {}).lang || "zh-CN";
  const [formData, setFormData] = useState(() => prune(initial, uiSchema));
  const deciding = useMemo(() => decidingQuestions(uiSchema), [uiSchema]);
  const checks = useMemo(() => checkedFields(uiSchema), [uiSchema]);
  const formSchema = useMemo(() => formSchemaFor(schema), [schema]);
  const transformErrors = useMemo(() => transformErrorsFor(schema, lang), [schema, lang]);
  const reasons = ineligibleReasons(uiSchema, formData.situations);
  // what is shown reads the questions asked so far; one asked and not answered yet is waited for
  const { kept, unknown } = askedAnswers(uiSchema, formData.situations);
  const customValidate = (data, errors) => {
    for (const [key, kind] of checks) {
      const value = data && data.fields ? data.fields[key] : undefined;
      const want = typeof value === "string" ? expectedCheck(kind, value) : null;
      if (want !== null && value[17] !== want && errors.fields && errors.fields[key]) {
        errors.fields[key].addError(text(lang, kind === "id_number" ? "checkId" : "checkUscc", { expected: want }));
      }
    }
    for (const rule of brokenRules(uiSchema, prune(data, uiSchema))) {
      const [group, key] = rule.pointers[0].split("/").slice(1);
      if (errors[group] && errors[group][key]) errors[group][key].addError(rule.message);
    }
    return errors;
  };
  return h(Form, {
    schema: formSchema, uiSchema, validator, formData, widgets, templates, transformErrors, customValidate,
    formContext: { answers: kept, unknown, ineligible: reasons.length > 0, deciding, lang, upload },
    experimental_defaultFormStateBehavior: defaultFormStateBehavior,
    translateString: translator(lang), showErrorList: "top", focusOnFirstError: true, noHtml5Validate: true,
    onChange: (event) => {
      const next = prune(event.formData, uiSchema);
      setFormData(next);
      if (onChange) onChange(next);
    },
    onSubmit: (event) => {
      const application = prune(event.formData, uiSchema);
      if (ineligibleReasons(uiSchema, application.situations).length) return;  // never a normal application
      if (onSubmit) onSubmit(application);
    },
    ...rest,
  }, reasons.length ? h(FallbackNotice, { reasons, uiSchema, lang }) : undefined);
}

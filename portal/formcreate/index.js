// form-create (Element Plus edition) for the configurator's form.formcreate.json, on Vue 3:
//
//   import { createApp } from "vue";
//   import ElementPlus from "element-plus";
//   import formCreate from "@form-create/element-ui";
//   import { ApplicationForm, install } from "@configurator/formcreate";
//   const app = createApp(ApplicationForm, { form, upload: async (file) => reference, onSubmit: (application) => send(application) });
//   app.use(ElementPlus); app.use(formCreate); install(formCreate); app.mount("#form");
//
// What the file's `configurator` part says, this package does with registered functions — never
// by evaluating a string: form-create compiles `update`, `control`, `computed`, events given as
// text and `{{ }}` templates into code, so each rule is rebuilt here from the keys it knows
// (`safeRule`) and a label or option value is only ever text.
// - visibility: a rule shows only while its `when` (JsonLogic over the answers) decidedly holds
//   (one reading a question not answered yet waits for it); what is
//   hidden or left empty is left out of the application (the schema wants it absent);
// - eligibility first: once the answers decidedly fail a rule, the reasons and the fallback window
//   (name, address, phone, hours) replace the submit button, only the deciding questions stay,
//   and nothing can be submitted;
// - validators by name (`CHECKS`): required (also when it depends on the case), pattern, lengths,
//   bounds, whole numbers, number of files, check characters (GB 11643, GB 32100), and the
//   cross-field rules on their first field, each with the message the file carries;
// - `configuratorUpload`: Element Plus's el-upload whose files become references by `upload(file)`;
// - help texts shown under the label (not in a hover-only tooltip).
import { computed, defineComponent, h, reactive, ref, resolveComponent, shallowRef } from "vue";
import { ElUpload } from "element-plus";
import { askedAnswers, brokenRules, decide, decidingQuestions, expectedCheck, ineligibleReasons, prune, truth } from "../rjsf/rules.js";
import "./form.css";

export { brokenRules, expectedCheck, ineligibleReasons, prune, truth } from "../rjsf/rules.js";

const empty = (value) => value === undefined || value === null || value === "" ||
  (Array.isArray(value) && value.length === 0);

const fill = (message, values) => String(message).replace(/\{(\w+)\}/g, (_, name) => String(values[name]));

/** The registered validators: check name → (entry, value) → a message, or null when the value passes. */
export const CHECKS = {
  pattern: (check, value) => (typeof value !== "string" || new RegExp(check.pattern, "u").test(value) ? null : check.message),
  minLength: (check, value) => (typeof value !== "string" || [...value].length >= check.count ? null : check.message),
  maxLength: (check, value) => (typeof value !== "string" || [...value].length <= check.count ? null : check.message),
  minimum: (check, value) => (typeof value !== "number" || value >= check.limit ? null : check.message),
  maximum: (check, value) => (typeof value !== "number" || value <= check.limit ? null : check.message),
  integer: (check, value) => (typeof value !== "number" || Number.isInteger(value) ? null : check.message),
  minItems: (check, value) => (!Array.isArray(value) || value.length >= check.count ? null : check.message),
  gb11643: (check, value) => checkCharacter("id_number", check, value),
  gb32100: (check, value) => checkCharacter("uscc", check, value),
};

function checkCharacter(kind, check, value) {
  const expected = typeof value === "string" ? expectedCheck(kind, value) : null;
  return expected !== null && value[17] !== expected ? fill(check.message, { expected }) : null;
}

// The keys of a form-create rule this package passes on; anything else in a rule is dropped.
const RULE_KEYS = ["type", "field", "title", "value", "options"];
const PROP_KEYS = ["id", "type", "placeholder", "maxlength", "autocomplete", "controlsPosition", "valueOnClear",
  "precision", "valueFormat", "format"];
const TYPES = new Set(["radio", "checkbox", "input", "inputNumber", "datePicker", "configuratorUpload"]);
const FIELD = /^(situations|fields|uploads)__[a-z][a-z0-9_-]{0,63}$/;

const asText = (value) => (value === undefined || value === null ? "" : String(value));

/** A rule rebuilt from data only: known keys, text as text, nothing form-create would compile. */
export function safeRule(rule) {
  if (!TYPES.has(rule.type) || !FIELD.test(String(rule.field))) throw new Error(`not a configurator rule: ${String(rule.field)}`);
  const out = {};
  for (const key of RULE_KEYS) if (key in rule) out[key] = rule[key];
  out.title = asText(rule.title);
  if (Array.isArray(rule.options)) {
    out.options = rule.options.map((o) => ({ value: typeof o.value === "boolean" ? o.value : asText(o.value), label: asText(o.label) }));
  }
  out.props = {};
  for (const key of PROP_KEYS) if (rule.props && key in rule.props) out.props[key] = rule.props[key];
  out.props.id = rule.field;
  out.className = `configurator-${rule.field}`;
  const notes = [rule.info, rule.suffix].filter((note) => typeof note === "string" && note);
  if (notes.length) {
    // Help and unit as a visible line the input names (aria-describedby), not a hover-only popover.
    out.props["aria-describedby"] = `${rule.field}-help`;
    out.suffix = { type: "div", class: "configurator-help", attrs: { id: `${rule.field}-help` },
      style: { flexBasis: "100%", fontSize: "13px", lineHeight: "1.5", color: "#4b5563" }, children: [notes.join(" · ")] };
  }
  return out;
}

/** The application (situations, fields, uploads) from form-create's flat data, pruned as the schema wants. */
export function applicationOf(form, values) {
  const data = { situations: {}, fields: {}, uploads: {} };
  const options = new Map(form.rule.map((rule) => [rule.field, (rule.options || []).map((o) => o.value)]));
  for (const [name, entry] of Object.entries(form.configurator.entries)) {
    let value = values[name];
    // Several choices are a set: listed in the options' order, whatever order they were ticked in.
    if (Array.isArray(value) && options.get(name).length) value = options.get(name).filter((v) => value.includes(v));
    if (!empty(value) || (entry.allowNone && Array.isArray(value))) data[entry.group][entry.key] = value;
  }
  return prune(data, uiLike(form));
}

/** The parts of form.ui.json that rules.js reads, from the form's entries (no second file needed). */
export function uiLike(form) {
  const ui = { "ui:options": { eligibility: form.configurator.eligibility, fieldRules: form.configurator.fieldRules },
    situations: { "ui:order": [] }, fields: {}, uploads: {} };
  for (const entry of Object.values(form.configurator.entries)) {
    const hint = { "ui:options": { when: entry.when, allowNone: entry.allowNone } };
    ui[entry.group][entry.key] = hint;
    if (entry.group === "situations") ui.situations["ui:order"].push(entry.key);
  }
  return ui;
}

/** Whether an entry is required for these answers: true, false, or JsonLogic over them. */
export function requiredNow(entry, answers) {
  return typeof entry.required === "boolean" ? entry.required : !!truth(entry.required, answers);
}

/**
 * The form-create `validate` of one rule: one registered validator reading the current state.
 * `required` only marks the field (Element Plus's asterisk); the validator decides.
 */
function validatorFor(form, ui, name, state, required) {
  const entry = form.configurator.entries[name];
  const messages = form.configurator.messages;
  return [{
    trigger: "change",
    required,
    validator: (_rule, value, callback) => {
      const answers = state.application.situations;
      if (empty(value)) {
        const none = entry.allowNone && Array.isArray(value);
        callback(!none && requiredNow(entry, answers) ? new Error(messages.required) : undefined);
        return;
      }
      for (const check of entry.checks) {
        const message = (CHECKS[check.check] || (() => null))(check, value);
        if (message) { callback(new Error(message)); return; }
      }
      const broken = brokenRules(ui, state.application)
        .find((rule) => rule.pointers[0] === `/${entry.group}/${entry.key}`);
      callback(broken ? new Error(broken.message) : undefined);
    },
  }];
}

function readAsDataUrl(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

const references = (list) => list.filter((f) => f.status === "success").map((f) => f.response);

/** el-upload for one material: its value is the list of references `upload(file)` gives. */
export const ConfiguratorUpload = defineComponent({
  name: "ConfiguratorUpload",
  props: { modelValue: { type: Array, default: () => [] }, id: String, disabled: Boolean, upload: Function,
    buttonText: { type: String, default: "选择文件" } },
  emits: ["update:modelValue"],
  setup(props, { emit, attrs }) {
    const files = ref([]);
    const store = props.upload || readAsDataUrl;
    return () => h(ElUpload, {
      multiple: true, autoUpload: true, fileList: files.value, disabled: props.disabled,
      "onUpdate:fileList": (list) => { files.value = list; },
      // Each file is stored by `upload(file)`; its reference is the file's response. The value is
      // read from the whole list each time, as several files finish in any order.
      httpRequest: ({ file }) => store(file),
      onSuccess: (_reference, _file, list) => emit("update:modelValue", references(list)),
      onRemove: (_file, list) => emit("update:modelValue", references(list)),
      // el-upload's own trigger is the button (role="button", focusable): its content is text
      // styled as a button, not a second control nested inside it.
    }, { default: () => h("span", { class: "el-button", id: props.id, "aria-describedby": attrs["aria-describedby"] }, props.buttonText) });
  },
});

/** Registers the package's component with form-create (once per formCreate instance). */
export function install(formCreate) {
  formCreate.component("configuratorUpload", ConfiguratorUpload);
}

/** The reasons and the fallback window, shown instead of the submit button. */
export const FallbackNotice = defineComponent({
  name: "FallbackNotice",
  props: { reasons: Array, form: Object },
  setup(props) {
    return () => {
      const { fallback, messages } = props.form.configurator;
      return h("div", { class: "configurator-ineligible", role: "alert" }, [
        h("h2", messages.ineligible),
        h("ul", props.reasons.map((r) => h("li", { key: r.id }, r.message))),
        h("p", messages.next),
        fallback.message ? h("p", fallback.message) : null,
        h("dl", fallback.rows.flatMap(([label, value]) => [h("dt", { key: `${label}:t` }, label), h("dd", { key: `${label}:d` }, value)])),
      ]);
    };
  },
});

const ACCESSIBLE_COLOURS = { "--el-color-primary": "#1d4ed8", "--el-color-danger": "#b91c1c" };

/** The whole form: form-create with the package's rules, visibility, eligibility and submit. */
export const ApplicationForm = defineComponent({
  name: "ApplicationForm",
  props: { form: { type: Object, required: true }, upload: Function, onSubmit: Function, onChange: Function },
  setup(props) {
    const form = props.form;
    const state = reactive({ application: { situations: {}, fields: {}, uploads: {} } });
    const api = shallowRef(null);
    const ui = uiLike(form);
    const deciding = decidingQuestions(ui);
    const marked = new Map();  // field → whether its validate marks it required now
    const start = askedAnswers(ui, {});  // an empty form: every question asked first is unanswered
    const rules = form.rule.map((rule) => {
      const out = safeRule(rule);
      marked.set(out.field, requiredNow(form.configurator.entries[out.field], {}));
      out.validate = validatorFor(form, ui, out.field, state, marked.get(out.field));
      if (out.type === "configuratorUpload") out.props = { ...out.props, upload: props.upload, buttonText: form.configurator.messages.choose || undefined };
      const when = form.configurator.entries[out.field].when;
      out.hidden = when !== undefined && decide(when, start.kept, start.unknown) !== true;  // as refresh decides it
      return out;
    });
    const reasons = computed(() => ineligibleReasons(ui, state.application.situations));
    // Built from known keys: form-create compiles an option given as text (onSubmit, onMounted…) into code.
    const given = form.option || {};
    const option = {
      form: { labelPosition: asText((given.form || {}).labelPosition) || "top", labelWidth: asText((given.form || {}).labelWidth) || "auto" },
      resetBtn: false, submitBtn: { innerText: asText((given.submitBtn || {}).innerText), show: true },
      onSubmit: (values) => {
        const application = applicationOf(form, values);
        if (ineligibleReasons(ui, application.situations).length) return;  // never a normal application
        if (props.onSubmit) props.onSubmit(application);
      },
    };
    const refresh = (values) => {
      state.application = applicationOf(form, values);
      const out = reasons.value.length > 0;
      let remark = false;
      // a rule reading a question asked and not answered yet waits for it (not "no")
      const { kept, unknown } = askedAnswers(ui, state.application.situations);
      for (const rule of rules) {
        const entry = form.configurator.entries[rule.field];
        const visible = entry.when === undefined || decide(entry.when, kept, unknown) === true;
        const hide = !visible || (out && !(entry.group === "situations" && deciding.has(entry.key)));
        if (api.value) api.value.hidden(hide, rule.field);
        rule.hidden = hide;
        const required = requiredNow(entry, state.application.situations);  // 容缺 may depend on the case
        if (api.value && required !== marked.get(rule.field)) {
          marked.set(rule.field, required);
          // The form item's own `required` (form-create passes `wrap` to it) marks it; replacing the
          // validate makes form-create drop its cached rendering of the item.
          const live = api.value.getRule(rule.field);
          live.wrap = { ...(live.wrap || {}), required };
          api.value.updateValidate(rule.field, validatorFor(form, ui, rule.field, state, required), false);
          remark = true;
        }
      }
      if (remark) api.value.refresh();
      if (api.value) api.value.submitBtnProps({ show: !out });
      if (props.onChange) props.onChange(state.application);
    };
    // Element Plus's default blue (#409eff) and red (#f56c6c) are about 3:1 on white, short of WCAG AA
    // for text such as a ticked option's label or a field's message: darker ones are set where the form renders.
    return () => h("div", { class: "configurator-form", lang: form.lang, style: ACCESSIBLE_COLOURS }, [
      h(resolveComponent("FormCreate"), {  // registered by app.use(formCreate)
        rule: rules, option,
        "onUpdate:api": (value) => { api.value = value; },
        onMounted: (value) => { api.value = value; refresh(value.formData()); },
        onChange: () => { if (api.value) refresh(api.value.formData()); },
      }),
      reasons.value.length ? h(FallbackNotice, { reasons: reasons.value, form }) : null,
    ]);
  },
});

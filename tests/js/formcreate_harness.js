// The form-create integration (portal/formcreate) in a page, with Vue 3, Element Plus and
// @form-create/element-ui, driven by tests/test_formcreate_browser.py and the conformance runner:
// __mount renders a bundle's form.formcreate.json; __fill answers, types and uploads through the
// DOM as a citizen would (clicks on radios and boxes, typing, chosen files); __submit presses the
// submit button and reports what was submitted, the messages next to fields and the fallback panel;
// __shown lists the rules on screen.
import { createApp, nextTick } from "vue";
import ElementPlus from "element-plus";
import formCreate from "@form-create/element-ui";
import "element-plus/dist/index.css";
import { ApplicationForm, install } from "../../portal/formcreate/index.js";

install(formCreate);
const settle = async () => { for (let i = 0; i < 4; i++) { await nextTick(); await new Promise((r) => setTimeout(r, 0)); } };

window.__mount = async (form) => {
  window.__submitted = null;
  window.__form = form;
  if (window.__app) window.__app.unmount();
  const app = createApp(ApplicationForm, { form, upload: async (file) => file.name,
    onSubmit: (application) => { window.__submitted = application; } });
  app.use(ElementPlus);
  app.use(formCreate);
  app.config.errorHandler = (error) => { window.__errors = (window.__errors || []).concat(String(error) + " " + String(error.stack).slice(0, 600)); };
  window.__app = app;
  app.mount("#root");
  await settle();
};

function item(name) {
  const element = document.querySelector(`#root .configurator-${name}`);
  if (!element || !element.checkVisibility()) throw new Error(`not on the page: ${name}`);
  return element;
}

function setValue(element, value) {
  const proto = element.tagName === "TEXTAREA" ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(proto, "value").set.call(element, value);
  element.dispatchEvent(new Event("input", { bubbles: true }));
  element.dispatchEvent(new Event("change", { bubbles: true }));
  element.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", code: "Enter", bubbles: true }));
  element.dispatchEvent(new Event("blur", { bubbles: true }));
}

async function enter(group, key, value) {
  const name = `${group}__${key}`;
  const rule = window.__form.rule.find((r) => r.field === name);
  const element = item(name);
  if (rule.type === "configuratorUpload") {
    const input = element.querySelector("input[type=file]");
    const files = new DataTransfer();
    for (const file of value) files.items.add(new File(["scan"], file, { type: "application/pdf" }));
    input.files = files.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  } else if (rule.options) {
    const values = Array.isArray(value) ? value : [value];
    const boxes = element.querySelectorAll("input[type=radio], input[type=checkbox]");
    for (const [index, option] of rule.options.entries()) {
      if (boxes[index].checked !== values.includes(option.value)) { boxes[index].click(); await settle(); }
    }
  } else {
    const input = element.querySelector("input, textarea");
    input.focus();
    setValue(input, String(value));
  }
  await settle();
}

// lenient: what is not on the page is skipped (a citizen whose case is out sees nothing more to answer).
window.__fill = async (application, lenient = false) => {
  for (const rule of window.__form.rule) {
    const [group, key] = rule.field.split("__");
    if (!(key in application[group])) continue;
    const element = document.querySelector(`#root .configurator-${rule.field}`);
    if (lenient && !(element && element.checkVisibility())) continue;
    await enter(group, key, application[group][key]);
  }
};

/** The rules on screen marked required (Element Plus's asterisk), by group: [[group, key], ...]. */
window.__marked = () => [...document.querySelectorAll("#root .el-form-item.is-required")]
  .map((node) => [...node.classList].find((c) => c.startsWith("configurator-")))
  .filter(Boolean).map((c) => c.slice("configurator-".length).split("__"));

/** The rules on screen, by group: [[group, key], ...]. */
window.__shown = () => window.__form.rule
  .filter((rule) => { const el = document.querySelector(`#root .configurator-${rule.field}`); return !!el && el.checkVisibility(); })
  .map((rule) => rule.field.split("__"));

window.__submit = async () => {
  window.__submitted = null;
  const button = document.querySelector("#root .form-create .el-button--primary");
  const visible = !!button && button.checkVisibility();
  if (visible) button.click();
  await settle();
  // Element Plus shows a field's message a moment after it marks the field (a debounced state): wait for it.
  const pending = () => [...document.querySelectorAll("#root .el-form-item.is-error")].some((node) => !node.querySelector(".el-form-item__error")) ||
    document.querySelector("#root [class*='-enter-active'], #root [class*='-leave-active']") !== null;
  for (let i = 0; i < 100 && pending(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  const errors = {};
  document.querySelectorAll("#root .el-form-item__error").forEach((node) => {
    const holder = node.closest(".el-form-item");
    const name = [...holder.classList].find((c) => c.startsWith("configurator-"));
    if (name && node.textContent.trim()) errors[name.slice("configurator-".length)] = node.textContent.trim();
  });
  return { submitted: window.__submitted, errors, button: visible,
    notice: (document.querySelector(".configurator-ineligible") || {}).innerText || null };
};

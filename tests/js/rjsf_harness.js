// The RJSF integration (portal/rjsf) in a page, driven by tests/test_citizen_browser.py:
// __mount renders a bundle's form; __fill answers, types and uploads through the DOM as a
// citizen would (clicks, typing, choosing files), then presses submit and reports the outcome.
import React from "react";
import { createRoot } from "react-dom/client";
import { flushSync } from "react-dom";
import { ApplicationForm } from "../../portal/rjsf/index.js";

// A macrotask without setTimeout's 4 ms clamp: React has rendered by the time it runs.
const channel = new MessageChannel();
const waiting = [];
channel.port1.onmessage = () => waiting.shift()();
const tick = () => new Promise((resolve) => { waiting.push(resolve); channel.port2.postMessage(0); });

window.__mount = (schema, uiSchema) => {
  window.__submitted = null;
  window.__schema = schema;
  if (window.__root) window.__root.unmount();
  window.__root = createRoot(document.getElementById("root"));
  flushSync(() => window.__root.render(React.createElement(ApplicationForm, {
    schema, uiSchema, upload: async (file) => file.name,
    onSubmit: (application) => { window.__submitted = application; },
  })));
};

function setValue(element, value) {
  const proto = element.tagName === "TEXTAREA" ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(proto, "value").set.call(element, value);
  element.dispatchEvent(new Event("input", { bubbles: true }));
  element.dispatchEvent(new Event("change", { bubbles: true }));
}

function find(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`not on the page: #${id}`);
  return element;
}

function optionValues(property) {
  const list = property.oneOf || (property.items && property.items.oneOf) || [];
  return list.map((option) => option.const);
}

async function enter(group, key, value) {
  const property = window.__schema.properties[group].properties[key];
  const id = `root_${group}_${key}`;
  if (group === "uploads") {
    const input = find(id);
    const files = new DataTransfer();
    for (const name of value) files.items.add(new File(["scan"], name, { type: "application/pdf" }));
    input.files = files.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
    await tick(); await tick();
  } else if (Array.isArray(value)) {
    for (const v of value) { find(`${id}-${optionValues(property).indexOf(v)}`).click(); await tick(); }
  } else if (property.oneOf) {
    find(`${id}-${optionValues(property).indexOf(value)}`).click();
  } else {
    setValue(find(id), String(value));
  }
  await tick();
}

window.__fill = async (application, uiSchema) => {
  for (const group of ["situations", "fields", "uploads"]) {
    const order = uiSchema[group]["ui:order"];
    for (const key of order) {
      if (key in application[group]) await enter(group, key, application[group][key]);
    }
  }
};

window.__submit = async () => {
  window.__submitted = null;
  const button = document.querySelector("#root button[type=submit]");
  if (button) button.click();
  else document.querySelector("#root form").requestSubmit();
  await tick(); await tick();
  const errors = {};
  document.querySelectorAll("#root [id$='__error']").forEach((node) => {
    if (node.textContent.trim()) errors[node.id.replace(/__error$/, "")] = node.textContent.trim();
  });
  return { submitted: window.__submitted, errors, button: !!button,
           notice: (document.querySelector(".configurator-ineligible") || {}).innerText || null };
};

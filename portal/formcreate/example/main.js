// The example page's script: one bundle's form from a served admin's API (make run), rendered with
// Vue 3, Element Plus and form-create through portal/formcreate. Bundle it with the page's
// dependencies installed (tests/js has them):
//   NODE_PATH=tests/js/node_modules tests/js/node_modules/.bin/esbuild portal/formcreate/example/main.js \
//     --bundle --format=esm --outfile=portal/formcreate/example/main.bundle.js
// then open index.html (?api=http://127.0.0.1:5000&bundle=newborn&lang=zh-CN): the API allows
// reads from any origin.
import { createApp } from "vue";
import ElementPlus from "element-plus";
import "element-plus/dist/index.css";
import formCreate from "@form-create/element-ui";
import { ApplicationForm, install } from "../index.js";

const query = new URLSearchParams(location.search);
const api = query.get("api") || "http://127.0.0.1:5000";
const bundle = query.get("bundle") || "newborn";
const lang = query.get("lang") === "en" ? "en" : "zh-CN";

const response = await fetch(`${api}/api/bundles/${encodeURIComponent(bundle)}/form.formcreate.json?lang=${lang}`);
const output = document.getElementById("submitted");
if (!response.ok) {
  output.textContent = `${response.status}: ${await response.text()}`;
} else {
  install(formCreate);
  createApp(ApplicationForm, {
    form: await response.json(),
    upload: async (file) => file.name,  // a real portal stores the file and returns its reference
    onSubmit: (application) => { output.textContent = JSON.stringify(application, null, 2); },
  }).use(ElementPlus).use(formCreate).mount("#form");
}

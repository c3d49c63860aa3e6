// Generate an id from the Chinese name (pinyin, from the server) until the person types their own
// (under the 高级 toggle). The ids already taken (data-taken) are sent along, so the suggestion is one
// the save accepts.
(function () {
  "use strict";
  var idInput = document.querySelector("input[data-suggest-url]");
  var source = document.querySelector("input[data-id-source]");
  if (!idInput || !source) { return; }
  var taken = [];
  try { taken = JSON.parse(idInput.dataset.taken || "[]"); } catch (e) { taken = []; }
  var touched = idInput.value !== "";
  idInput.addEventListener("input", function () { touched = idInput.value !== ""; });
  var timer = null;
  function suggest() {
    if (touched) { return; }
    clearTimeout(timer);
    timer = setTimeout(function () {
      var url = idInput.dataset.suggestUrl + "?name=" + encodeURIComponent(source.value) +
        taken.map(function (id) { return "&taken=" + encodeURIComponent(id); }).join("");
      fetch(url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (body) {
        if (!touched) { idInput.value = source.value ? body.id : ""; }
      }).catch(function () { /* the save generates one from the name */ });
    }, 200);
  }
  source.addEventListener("input", suggest);
  if (source.value) { suggest(); }  // typed before this script ran
})();

// The preview's costly parts (figures, routing diagram, notice), fetched once the page is shown.
// The server renders and escapes them; they are placed as they come, each in its own box.
(function () {
  "use strict";
  var box = document.getElementById("preview-parts");
  if (!box) { return; }
  function failed() {
    box.querySelectorAll("[data-part]").forEach(function (part) {
      var note = document.createElement("p");
      note.className = "text-danger";
      note.textContent = box.dataset.failed;
      part.replaceChildren(note);
    });
  }
  fetch(box.dataset.fragment, {credentials: "same-origin", headers: {"Accept": "application/json"}})
    .then(function (answer) { if (!answer.ok) { throw new Error(answer.status); } return answer.json(); })
    .then(function (parts) {
      box.querySelectorAll("[data-part]").forEach(function (part) {
        part.innerHTML = parts[part.dataset.part];
      });
      box.dataset.loaded = "true";
    })
    .catch(failed);
})();

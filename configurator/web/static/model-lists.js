// The user and audit lists (flask-admin's list pages) under the app's Content-Security-Policy.
//
// flask-admin's pager and select2 write links to "javascript:void(0)", which the policy blocks (and
// reports at each click): such links get a plain "#" here and their clicks go nowhere; their own
// handlers (bound by flask-admin's scripts) still run. The menu bar is _model_menu.html, without
// flask-admin's inline onclick handlers (Chromium reports those as the page is parsed).
//
// A form with data-confirm asks before it is sent, in place of flask-admin's inline confirm;
// without script it is sent as it is.
for (const link of document.querySelectorAll('a[href^="javascript:"]')) {
  link.setAttribute("href", "#");
  link.setAttribute("role", "button");
}
document.addEventListener("click", (event) => {
  // also the links select2 makes later, after the loop above
  if (event.target.closest('a[href="#"], a[href^="javascript:"]')) {
    event.preventDefault();
  }
});
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

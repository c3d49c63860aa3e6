// The condition builder and the live check of condition text (no inline script: loaded as a file).
//
// Each condition input (input.condition-text) gets a sentence under it, refreshed as it is typed,
// from the server's check (the same checks as `configurator check`). The builder beside it composes
// a condition from this bundle's situations only: a situation picked by its question, an operator
// that fits its answer type, a value from its options (or a number / date within its bounds),
// grouped with 且 / 或 and negated with 非. A row that is not complete adds nothing to the text, so
// no state it can reach writes an invalid condition. Opened on a condition already written, it
// shows that condition (read by the server) rather than starting over.
(function () {
  "use strict";
  var english = (document.documentElement.lang || "").toLowerCase().indexOf("en") === 0;
  function t(zh, en) { return english ? en : zh; }
  var dataNode = document.getElementById("situations-data");
  var situations = dataNode ? JSON.parse(dataNode.textContent || "[]") : [];
  var byId = {};
  situations.forEach(function (s) { byId[s.id] = s; });

  var OPERATORS = {
    boolean: [["yes", t("答“是”", "is yes")], ["no", t("答“否”", "is no")]],
    choice: [["==", t("为", "is")], ["!=", t("不为", "is not")], ["in", t("是以下之一", "is one of")]],
    multi_choice: [["contains", t("选了", "includes")], ["not contains", t("没有选", "does not include")]],
    number: [[">", t("超过", "more than")], [">=", t("不少于", "at least")], ["<", t("小于", "less than")],
             ["<=", t("不超过", "at most")], ["==", t("等于", "equals")], ["!=", t("不等于", "is not")]],
    date: [[">", t("晚于", "after")], [">=", t("不早于", "on or after")], ["<", t("早于", "before")],
           ["<=", t("不晚于", "on or before")], ["==", t("是", "is")]]
  };

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { node.appendChild(c); });
    return node;
  }
  function quote(v) { return "\"" + String(v).replace(/\\/g, "\\\\").replace(/"/g, "\\\"") + "\""; }

  function rowText(r) {
    var s = byId[r.sit];
    if (!s || !r.op) { return null; }
    if (s.type === "boolean") { return r.op === "yes" ? s.id : "not " + s.id; }
    if (s.type === "choice" && r.op === "in") {
      return r.values.length ? s.id + " in [" + r.values.map(quote).join(", ") + "]" : null;
    }
    if (r.value === "" || r.value === null || r.value === undefined) { return null; }
    if (s.type === "choice") { return s.id + " " + r.op + " " + quote(r.value); }
    if (s.type === "multi_choice") {
      var text = s.id + " contains " + quote(r.value);
      return r.op === "contains" ? text : "not (" + text + ")";
    }
    if (s.type === "number") {
      var n = Number(r.value);
      if (!isFinite(n)) { return null; }
      if (s.minimum !== null && s.minimum !== undefined && n < s.minimum) { return null; }
      if (s.maximum !== null && s.maximum !== undefined && n > s.maximum) { return null; }
      return s.id + " " + r.op + " " + String(n);
    }
    if (s.type === "date") { return /^\d{4}-\d{2}-\d{2}$/.test(r.value) ? s.id + " " + r.op + " " + quote(r.value) : null; }
    return null;
  }

  function groupText(g) {
    var parts = g.children.map(function (c) {
      if (c.kind === "row") { return rowText(c); }
      var inner = groupText(c);
      return inner === null ? null : "(" + inner + ")";
    }).filter(function (p) { return p !== null; });
    if (!parts.length) { return null; }
    var joined = parts.join(g.op === "or" ? " or " : " and ");
    if (g.negate) { return "not (" + joined + ")"; }
    return joined;
  }

  function newRow() { return {kind: "row", sit: "", op: "", value: "", values: []}; }
  function newGroup() { return {kind: "group", op: "and", negate: false, children: [newRow()]}; }

  function setup(holder) {
    var input = document.getElementById(holder.dataset.for);
    var said = document.getElementById(holder.dataset.for + "-said");
    var checkUrl = input.dataset.checkUrl;
    var timer = null;
    var counter = 0;

    function check() {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var text = input.value.trim();
        if (!text) { said.textContent = t("（留空：所有情形）", "(empty: every case)"); said.className = "condition-said d-block small mt-1"; return; }
        fetch(checkUrl + "&text=" + encodeURIComponent(text), {credentials: "same-origin"})
          .then(function (r) { return r.json(); })
          .then(function (body) {
            var lines = [];
            if (body.sentence) { lines.push(t("意思是：当", "Means: when ") + body.sentence + t("时", "")); }
            lines = lines.concat(body.problems || []);
            said.textContent = lines.join("\n");
            said.className = "condition-said d-block small mt-1" + (body.ok ? "" : " bad");
            input.setAttribute("aria-invalid", body.ok ? "false" : "true");
          }).catch(function () { /* the save checks it anyway */ });
      }, 250);
    }
    input.addEventListener("input", check);
    check();

    var root = null;
    var area = el("div", {"class": "cb-area", hidden: "hidden"});
    var open = el("button", {type: "button", "class": "btn btn-sm btn-outline-primary cb-open",
                             "aria-expanded": "false", text: t("用条件构建器", "Use the condition builder")});
    holder.appendChild(open);
    holder.appendChild(area);
    if (!situations.length) {
      open.disabled = true;
      open.textContent = t("条件构建器：本一件事还没有情形问题", "Condition builder: this bundle has no situations yet");
    }
    open.addEventListener("click", function () {
      var shown = area.hasAttribute("hidden");
      if (shown) { area.removeAttribute("hidden"); } else { area.setAttribute("hidden", "hidden"); }
      open.setAttribute("aria-expanded", shown ? "true" : "false");
      if (shown && !root) { start(); } else if (shown) { focusFirst(); }
    });

    function focusFirst() { var first = area.querySelector("select, button"); if (first) { first.focus(); } }

    // The builder opens on the condition already written: the server reads it into rows and
    // groups. One it cannot show (a named condition, another way of writing) stays as it is until
    // the user chooses to write a new one in its place; nothing is replaced behind their back.
    function start() {
      var text = input.value.trim();
      if (!text) { root = newGroup(); render(); focusFirst(); return; }
      area.textContent = "";
      area.appendChild(el("p", {"class": "small text-muted mb-1", text: t("正在读取现有条件…", "Reading the condition…")}));
      fetch(checkUrl + "&text=" + encodeURIComponent(text), {credentials: "same-origin"})
        .then(function (r) { return r.json(); })
        .then(function (body) {
          if (body.builder && input.value.trim() === text) { root = body.builder; render(); focusFirst(); } else { unreadable(); }
        }).catch(unreadable);
    }

    function unreadable() {
      area.textContent = "";
      area.appendChild(el("p", {"class": "small mb-1 cb-unreadable", text: t(
        "构建器无法显示现有条件（例如它用了命名条件，或有错误），条件保持不变。要用构建器写一个新条件替换它，请点下面的按钮。",
        "The builder cannot show the condition written above (it may use a named condition, or have a mistake); it is left as it is. To write a new condition in its place with the builder, press the button below.")}));
      var fresh = el("button", {type: "button", "class": "btn btn-sm btn-outline-secondary cb-replace",
                                text: t("用构建器写一个新条件", "Write a new condition with the builder")});
      fresh.addEventListener("click", function () { root = newGroup(); render(); focusFirst(); });
      area.appendChild(fresh);
      focusFirst();
    }

    function changed() {
      var text = root ? groupText(root) : null;
      if (text !== null) { input.value = text; check(); }
    }

    function select(label, options, value, onChange) {
      var id = holder.dataset.for + "-cb-" + (counter += 1);
      var node = el("select", {"class": "form-control form-control-sm w-auto", id: id, "aria-label": label});
      options.forEach(function (o) {
        var option = el("option", {value: o[0], text: o[1]});
        if (o[0] === value) { option.selected = true; }
        node.appendChild(option);
      });
      node.addEventListener("change", function () { onChange(node.value); });
      return node;
    }

    function renderRow(r, parent) {
      var box = el("div", {"class": "cb-row", role: "group", "aria-label": t("一个条件", "one condition")});
      box.appendChild(select(t("情形问题", "Situation question"),
        [["", t("选择情形问题…", "Choose a question…")]].concat(situations.map(function (s) { return [s.id, s.label]; })),
        r.sit, function (v) { r.sit = v; r.op = ""; r.value = ""; r.values = []; var s = byId[v]; if (s) { r.op = OPERATORS[s.type][0][0]; } render(); changed(); }));
      var s = byId[r.sit];
      if (s) {
        box.appendChild(select(t("比较方式", "Operator"), OPERATORS[s.type], r.op, function (v) { r.op = v; render(); changed(); }));
        if (s.type === "choice" && r.op === "in") {
          var fs = el("fieldset", {"class": "d-inline-block"}, [el("legend", {"class": "sr-only", text: t("选项", "Options")})]);
          s.options.forEach(function (o) {
            var box2 = el("input", {type: "checkbox", value: o.value});
            box2.checked = r.values.indexOf(o.value) >= 0;
            box2.addEventListener("change", function () {
              r.values = s.options.map(function (x) { return x.value; }).filter(function (x) {
                return x === o.value ? box2.checked : r.values.indexOf(x) >= 0; });
              changed();
            });
            fs.appendChild(el("label", {"class": "mr-2 mb-0"}, [box2, document.createTextNode(" " + o.label)]));
          });
          box.appendChild(fs);
        } else if (s.type === "choice" || s.type === "multi_choice") {
          box.appendChild(select(t("选项", "Option"), [["", t("选择…", "Choose…")]].concat(s.options.map(function (o) { return [o.value, o.label]; })),
            r.value, function (v) { r.value = v; changed(); }));
        } else if (s.type === "number" || s.type === "date") {
          var attrs = {type: s.type === "number" ? "number" : "date", "class": "form-control form-control-sm w-auto",
                       "aria-label": s.type === "number" ? t("数值", "Number") : t("日期", "Date"), value: r.value};
          if (s.minimum !== null && s.minimum !== undefined) { attrs.min = s.minimum; }
          if (s.maximum !== null && s.maximum !== undefined) { attrs.max = s.maximum; }
          var field = el("input", attrs);
          field.addEventListener("input", function () { r.value = field.value; changed(); });
          box.appendChild(field);
          if (s.unit) { box.appendChild(el("span", {text: s.unit})); }
        }
      }
      var remove = el("button", {type: "button", "class": "btn btn-sm btn-link text-danger", text: t("删除这一条", "Remove")});
      remove.addEventListener("click", function () {
        parent.children.splice(parent.children.indexOf(r), 1);
        if (!root.children.length) { root.children.push(newRow()); }
        render(); changed();
      });
      box.appendChild(remove);
      return box;
    }

    function renderGroup(g, parent) {
      var box = el("div", {"class": "cb-group", role: "group", "aria-label": t("条件组", "Group of conditions")});
      var head = el("div", {"class": "cb-row"});
      head.appendChild(select(t("组合方式", "Combine with"), [["and", t("且（全部成立）", "and (all hold)")], ["or", t("或（任一成立）", "or (any holds)")]],
        g.op, function (v) { g.op = v; changed(); }));
      var negate = el("input", {type: "checkbox", id: holder.dataset.for + "-neg-" + (counter += 1)});
      negate.checked = g.negate;
      negate.addEventListener("change", function () { g.negate = negate.checked; changed(); });
      head.appendChild(el("label", {"for": negate.id, "class": "mb-0 ml-2"}, [negate, document.createTextNode(" " + t("非（整组取反）", "not (negate the group)"))]));
      if (parent) {
        var drop = el("button", {type: "button", "class": "btn btn-sm btn-link text-danger", text: t("删除这一组", "Remove group")});
        drop.addEventListener("click", function () { parent.children.splice(parent.children.indexOf(g), 1); render(); changed(); });
        head.appendChild(drop);
      }
      box.appendChild(head);
      g.children.forEach(function (c) { box.appendChild(c.kind === "row" ? renderRow(c, g) : renderGroup(c, g)); });
      var add = el("button", {type: "button", "class": "btn btn-sm btn-outline-secondary mr-1 cb-add-row", text: t("＋ 条件", "+ condition")});
      add.addEventListener("click", function () { g.children.push(newRow()); render(); changed(); });
      var addGroup = el("button", {type: "button", "class": "btn btn-sm btn-outline-secondary cb-add-group", text: t("＋ 条件组", "+ group")});
      addGroup.addEventListener("click", function () { g.children.push(newGroup()); render(); changed(); });
      box.appendChild(el("div", {}, [add, addGroup]));
      return box;
    }

    function render() {
      var focusables = area.querySelectorAll("select, input, button");
      var focused = Array.prototype.indexOf.call(focusables, document.activeElement);
      area.textContent = "";
      area.appendChild(el("p", {"class": "small text-muted mb-1",
        text: t("只列出本一件事的情形问题；完成的每一条都会写入上面的条件。", "Only this bundle's situations; every complete row is written into the condition above.")}));
      area.appendChild(renderGroup(root, null));
      if (focused >= 0) {
        var now = area.querySelectorAll("select, input, button");
        if (now.length) { now[Math.min(focused, now.length - 1)].focus(); }
      }
    }
  }

  document.querySelectorAll(".condition-builder").forEach(setup);
})();

"""The few lines of script form.html carries (no external assets, works without them).

With script the page shows each question, field and upload only when its ``data-when``
JsonLogic rule decidedly holds on the answers given before it (one reading a question asked and
not answered yet waits for it, as the resolved case does) — the plan's rule for asking, so the
deciding questions too (hidden ones are disabled, so they are neither validated nor posted);
marks an upload required or optional as its ``data-required-when`` rule (a 容缺 that depends on
the case) says; reads a number only when it is one of the question's type (an ill-typed
answer shows its error and decides nothing, as the schema refuses it); tells an ineligible case
at once — the reasons and the fallback window, everything else
hidden, nothing to submit — checks ID-number and credit-code check characters as they are
typed, and on submit lists what is missing in the error summary instead of posting — or, when
nothing is missing, the cross-field rules broken (``data-field-rules``: the JsonLogic of
routing.json, evaluated as json-logic-js does), each with its message and a link to its field.
"""

FORM_SCRIPT = r"""
(function () {
  function answers(form, prefix) {
    var data = {};
    prefix = prefix || 'situations-';
    form.querySelectorAll('[name^="' + prefix + '"]').forEach(function (input) {
      var key = input.name.slice(prefix.length);
      if (input.disabled) return;
      if ((input.type === 'radio' || input.type === 'checkbox') && !input.checked) return;
      var value = input.value;
      if (value === '') return;
      if (input.type === 'checkbox') { (data[key] = data[key] || []).push(value); return; }
      if (input.type === 'radio' && input.dataset.boolean !== undefined) value = value === 'true';
      else if (input.dataset.number !== undefined) {
        if (value.trim() === '' || numberProblem(input)) return;  // no answer of the question's type
        value = Number(value);
      }
      data[key] = value;
    });
    return data;
  }
  // What the schema says of a number typed in (type, integer, minimum, maximum), '' when fine.
  function numberProblem(input) {
    var text = input.value.trim(), slot = input.closest('.row').querySelector('.type-error');
    if (text === '' || !slot) return '';
    var n = Number(text);
    if (!isFinite(n)) return slot.dataset.sayNumber;
    if (input.dataset.integer !== undefined && Math.floor(n) !== n) return slot.dataset.sayInteger;
    if (input.dataset.minimum !== undefined && n < Number(input.dataset.minimum)) return slot.dataset.sayMinimum;
    if (input.dataset.maximum !== undefined && n > Number(input.dataset.maximum)) return slot.dataset.sayMaximum;
    return '';
  }
  function checkNumber(input) {
    var slot = input.closest('.row').querySelector('.type-error'), problem = numberProblem(input);
    if (!slot) return true;
    slot.textContent = problem;
    slot.hidden = !problem;
    input.setAttribute('aria-invalid', problem ? 'true' : 'false');
    return !problem;
  }
  function truth(rule, data) {
    if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) return rule;
    var op = Object.keys(rule)[0], args = [].concat(rule[op]);
    var v = function (i) { return truth(args[i], data); };
    switch (op) {
      case 'var': return Object.prototype.hasOwnProperty.call(data, args[0]) ? data[args[0]] : null;
      case 'and': return args.every(function (a) { return truth(a, data); });
      case 'or': return args.some(function (a) { return truth(a, data); });
      case '!': return !truth(args[0], data);
      case '!!': var x = v(0); return Array.isArray(x) ? x.length > 0 : !!x;
      case '===': return v(0) === v(1);
      case '!==': return v(0) !== v(1);
      case '<': return v(0) !== null && v(0) < v(1);
      case '<=': return v(0) !== null && v(0) <= v(1);
      case '>': return v(0) !== null && v(0) > v(1);
      case '>=': return v(0) !== null && v(0) >= v(1);
      case 'in': var b = v(1); return !!b && b.indexOf(v(0)) !== -1;
    }
    return false;
  }
  // The cross-field rules of routing.json (data-field-rules), evaluated as json-logic-js does.
  function truthy(x) { return Array.isArray(x) ? x.length > 0 : !!x; }
  function lookup(data, key) {
    var x = data;
    String(key).split('.').forEach(function (part) {
      x = (x !== null && typeof x === 'object' && Object.prototype.hasOwnProperty.call(x, part)) ? x[part] : null;
    });
    return x;
  }
  function calc(rule, data) {
    if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) return rule;
    var op = Object.keys(rule)[0], args = [].concat(rule[op]), i, r = true;
    if (op === 'and') { for (i = 0; i < args.length; i++) { r = calc(args[i], data); if (!truthy(r)) return r; } return r; }
    if (op === 'or') { for (i = 0; i < args.length; i++) { r = calc(args[i], data); if (truthy(r)) return r; } return r; }
    var v = args.map(function (a) { return calc(a, data); });
    switch (op) {
      case 'var': return lookup(data, v[0]);
      case 'missing': return v.filter(function (k) { var x = lookup(data, k); return x === null || x === ''; });
      case '!': return !truthy(v[0]);
      case '===': return v[0] === v[1];
      case '!==': return v[0] !== v[1];
      case '<': return v.length === 3 ? v[0] < v[1] && v[1] < v[2] : v[0] < v[1];
      case '<=': return v.length === 3 ? v[0] <= v[1] && v[1] <= v[2] : v[0] <= v[1];
      case '>': return v[0] > v[1];
      case '>=': return v[0] >= v[1];
      case 'in': return !!v[1] && typeof v[1].indexOf === 'function' && v[1].indexOf(v[0]) !== -1;
      case '+': return v.reduce(function (s, x) { return s + parseFloat(x); }, 0);
      case '-': return v.length === 1 ? -v[0] : v[0] - v[1];
    }
    return false;
  }
  function ruleProblems(form) {
    var rules = form.dataset.fieldRules ? JSON.parse(form.dataset.fieldRules) : [];
    var data = { situations: answers(form), fields: answers(form, 'fields-') };
    return rules.filter(function (rule) {
      return truthy(calc(rule.applies, data)) && !truthy(calc(rule.check, data));
    }).map(function (rule) {
      var input = document.getElementById(rule.target);
      var row = input && input.closest('.row');
      return { id: rule.target, text: (row ? row.dataset.label + form.dataset.sep : '') + rule.message };
    });
  }
  function vars(rule, into) {
    if (rule && typeof rule === 'object') {
      if (!Array.isArray(rule) && Object.prototype.hasOwnProperty.call(rule, 'var')) into.push([].concat(rule['var'])[0]);
      else Object.keys(rule).forEach(function (k) { vars(rule[k], into); });
    }
    return into;
  }
  function show(row, visible) {
    row.hidden = !visible;
    var required = row.dataset.required !== undefined;
    row.querySelectorAll('input, select, textarea').forEach(function (input) {
      input.disabled = !visible;
      if (input.type !== 'checkbox') input.required = visible && required;
    });
  }
  // An upload whose requirement depends on the case: required or optional as its rule says for these answers.
  function requirement(row, data) {
    row.querySelectorAll('[data-shown-when]').forEach(function (note) {  // "may follow later", where the case allows it
      note.hidden = !truth(JSON.parse(note.dataset.shownWhen), data);
    });
    if (row.dataset.requiredWhen === undefined) return;
    var required = !!truth(JSON.parse(row.dataset.requiredWhen), data);
    if (required) row.setAttribute('data-required', ''); else row.removeAttribute('data-required');
    row.querySelectorAll('.optional').forEach(function (mark) { mark.hidden = required; });
    row.querySelectorAll('input').forEach(function (input) {
      if (required) input.setAttribute('aria-required', 'true'); else input.removeAttribute('aria-required');
    });
  }
  var ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  var USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  function expected(kind, value) {
    var total = 0, i;
    if (kind === 'id_number' && /^[1-9][0-9]{16}[0-9X]$/.test(value)) {
      for (i = 0; i < 17; i++) total += Number(value[i]) * ID_WEIGHTS[i];
      return '10X98765432'[total % 11];
    }
    if (kind === 'uscc' && /^[0-9A-HJ-NPQRTUWXY]{18}$/.test(value)) {
      for (i = 0; i < 17; i++) total += USCC_CHARS.indexOf(value[i]) * USCC_WEIGHTS[i];
      return USCC_CHARS[(31 - total % 31) % 31];
    }
    return null;
  }
  function checkDigit(input) {
    var row = input.closest('.row'), slot = row.querySelector('.live-error');
    var want = expected(input.dataset.check, input.value.trim());
    var wrong = want !== null && input.value.trim()[17] !== want;
    slot.textContent = wrong ? slot.dataset.message.replace('{expected}', want) : '';
    slot.hidden = !wrong;
    input.setAttribute('aria-invalid', wrong ? 'true' : 'false');
    return !wrong;
  }
  // A rule's truth, or null while the questions in ``unknown`` (asked and not answered yet, or
  // waiting on one) could still make it either: Kleene's logic, as language/conditions/partial.py.
  function decide(rule, data, unknown) {
    if (!vars(rule, []).some(function (name) { return unknown[name]; })) return !!truth(rule, data);
    var op = rule && typeof rule === 'object' && !Array.isArray(rule) ? Object.keys(rule)[0] : null;
    var args = op === null ? [] : [].concat(rule[op]), undecided = false, i, value;
    if (op === '!') { value = decide(args[0], data, unknown); return value === null ? null : !value; }
    if (op !== 'and' && op !== 'or') return null;  // a comparison reading a question not answered yet
    for (i = 0; i < args.length; i++) {
      value = decide(args[i], data, unknown);
      if (value === null) undecided = true;
      else if (value === (op === 'or')) return value;
    }
    return undecided ? null : op !== 'or';
  }
  function refresh(form) {
    var panel = form.querySelector('.ineligible'), out = false, judged = false, data = {}, unknown = {};
    // Eligibility is decided on the deciding questions alone (they come first): a question not
    // asked is no answer, one asked and not answered yet leaves a rule open unless the rest decides it.
    function judge() {
      judged = true;
      if (!panel) return;
      panel.querySelectorAll('[data-rule]').forEach(function (reason) {
        var fails = decide(JSON.parse(reason.dataset.rule), data, unknown) === false;
        reason.hidden = !fails;
        out = out || fails;
      });
      panel.hidden = !out;
    }
    // In page order, each question after those its rule reads: a row is shown when its rule holds
    // on the answers of the questions shown before it (those hidden are disabled, so not answers).
    form.querySelectorAll('.row').forEach(function (row) {
      var deciding = row.classList.contains('deciding');
      if (!deciding && !judged) judge();
      requirement(row, data);
      // shown only once its rule decidedly holds: a rule reading a question not answered yet is
      // not "false" (非婚生育说明 waits for the marriage question, it is not asked for meanwhile)
      var when = row.dataset.when === undefined ? null : JSON.parse(row.dataset.when);
      var asked = when === null ? true : decide(when, data, unknown);
      show(row, !(out && !deciding) && asked === true);
      var question = row.querySelector('[name^="situations-"]');
      if (!question) return;
      var key = question.name.slice('situations-'.length), given = row.hidden ? {} : answers(row);
      if (!row.hidden && row.dataset.allowNone !== undefined && !given[key]) given[key] = [];  // asked: none is an answer
      Object.keys(given).forEach(function (name) { data[name] = given[name]; });
      if (asked === null || (asked && !Object.prototype.hasOwnProperty.call(given, key))) unknown[key] = true;
    });
    if (!judged) judge();
    form.querySelectorAll('section.step').forEach(function (section) {
      var rows = section.querySelectorAll('.row');
      section.hidden = rows.length > 0 && Array.prototype.every.call(rows, function (r) { return r.hidden; });
    });
    form.querySelector('.actions').hidden = out;
    return out;
  }
  function summarise(form, problems) {
    var summary = document.querySelector('.error-summary');
    var list = summary.querySelector('ul');
    list.textContent = '';
    problems.forEach(function (problem) {
      var item = document.createElement('li'), link = document.createElement('a');
      link.href = '#' + problem.id;
      link.textContent = problem.text;
      item.appendChild(link);
      list.appendChild(item);
    });
    summary.hidden = problems.length === 0;
    if (problems.length) summary.focus();
  }
  document.querySelectorAll('form.application').forEach(function (form) {
    form.addEventListener('change', function (event) {
      if (event.target.dataset && event.target.dataset.check) checkDigit(event.target);
      if (event.target.dataset && event.target.dataset.number !== undefined) checkNumber(event.target);
      refresh(form);
    });
    form.querySelectorAll('[data-check]').forEach(function (input) {
      input.addEventListener('input', function () { checkDigit(input); });
    });
    form.addEventListener('submit', function (event) {
      if (refresh(form)) { event.preventDefault(); form.querySelector('.ineligible').focus(); return; }
      var problems = [];
      form.querySelectorAll('.row[data-required]').forEach(function (row) {
        if (row.hidden) return;
        var inputs = row.querySelectorAll('input, select, textarea');
        var filled = Array.prototype.some.call(inputs, function (input) {
          return (input.type === 'radio' || input.type === 'checkbox') ? input.checked : input.value.trim() !== '';
        });
        if (!filled) problems.push({ id: inputs[0].id, text: row.dataset.label + form.dataset.sep + row.dataset.missing });
      });
      form.querySelectorAll('[data-number]').forEach(function (input) {
        if (!input.disabled && !checkNumber(input)) {
          problems.push({ id: input.id, text: input.closest('.row').dataset.label + form.dataset.sep +
                          input.closest('.row').querySelector('.type-error').textContent });
        }
      });
      form.querySelectorAll('[data-check]').forEach(function (input) {
        if (!input.disabled && !checkDigit(input)) {
          problems.push({ id: input.id, text: input.closest('.row').dataset.label + form.dataset.sep +
                          input.closest('.row').querySelector('.live-error').textContent });
        }
      });
      if (!problems.length) problems = ruleProblems(form);  // cross-field rules once each value is there
      if (problems.length) { event.preventDefault(); summarise(form, problems); }
    });
    refresh(form);
  });
})();
"""

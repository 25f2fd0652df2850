/* The no-code rule editor (progressive enhancement of the `rule_editor` macro).
 *
 * Without this script the condition is a JSON text area. With it, the text area is
 * hidden and kept in sync with an editor of groups (all / any, optionally negated) and
 * clauses (attribute, operator, value), and a "Test this rule" panel posts the condition
 * and a sample to the console's test endpoint. No third-party code, no eval, no inline
 * script or style (the console's Content-Security-Policy forbids both).
 */
(function () {
  "use strict";
  if (window.salesdevRuleEditor) { return; }
  window.salesdevRuleEditor = true;

  var LIST_OPS = ["in", "not_in", "contains_any", "contains_all"];
  var NO_VALUE_OPS = ["is_set", "is_not_set"];
  var GROUP_LABELS = { customer: "Customer", premise: "Premise", channel: "Channel",
    partner: "Partner", offering: "Offering", sale: "Sale" };
  var counter = 0;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) { return; }
      if (key === "text") { node.textContent = value; }
      else if (key === "className") { node.className = value; }
      else if (value === true) { node.setAttribute(key, ""); }
      else { node.setAttribute(key, String(value)); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function nextId(prefix) { counter += 1; return prefix + "-" + counter; }

  /* ---- model: {kind: "group", op: "all"|"any", negate, parts} | {kind: "clause", ...} ---- */

  function fromJson(data) {
    if (data && typeof data === "object" && !Array.isArray(data)) {
      if ("not" in data) {
        var inner = fromJson(data.not);
        inner.negate = !inner.negate;
        return inner;
      }
      if (Array.isArray(data.all) || Array.isArray(data.any)) {
        var op = Array.isArray(data.all) ? "all" : "any";
        return { kind: "group", op: op, negate: false, parts: data[op].map(fromJson) };
      }
      if (typeof data.attribute === "string") {
        return { kind: "clause", negate: false, attribute: data.attribute,
          op: data.op || "eq", value: data.value === undefined ? null : data.value };
      }
    }
    throw new Error("not a condition");
  }

  function toJson(node) {
    var json;
    if (node.kind === "group") {
      json = {};
      json[node.op] = node.parts.map(toJson);
    } else {
      json = { attribute: node.attribute, op: node.op };
      if (NO_VALUE_OPS.indexOf(node.op) < 0) { json.value = node.value; }
    }
    return node.negate ? { not: json } : json;
  }

  /* ---- one editor ---- */

  function Editor(root) {
    this.root = root;
    this.field = root.querySelector(".rule-editor-json");
    this.ui = root.querySelector(".rule-editor-ui");
    this.vocabulary = JSON.parse(root.getAttribute("data-vocabulary"));
    this.attributes = {};
    var self = this;
    this.vocabulary.attributes.forEach(function (a) { self.attributes[a.name] = a; });
    this.testUrl = root.getAttribute("data-test-url");
    var text = this.field.value.trim();
    var model = fromJson(text ? JSON.parse(text) : { all: [] });
    if (model.kind !== "group") { model = { kind: "group", op: "all", negate: false, parts: [model] }; }
    this.model = model;
  }

  Editor.prototype.sync = function () {
    this.field.value = JSON.stringify(toJson(this.model), null, 2);
    this.root.dispatchEvent(new CustomEvent("rule-editor:change", { bubbles: true }));
    if (this.refreshSample) { this.refreshSample(); }
  };

  Editor.prototype.render = function () {
    this.ui.textContent = "";
    this.ui.appendChild(this.renderGroup(this.model, null, 0));
    if (this.testUrl) { this.ui.appendChild(this.renderTestPanel()); }
  };

  Editor.prototype.rerender = function () {
    var tree = this.ui.querySelector(".rule-group");
    tree.replaceWith(this.renderGroup(this.model, null, 0));
    this.sync();
  };

  Editor.prototype.defaultClause = function () {
    var first = this.vocabulary.attributes[0];
    return { kind: "clause", negate: false, attribute: first.name, op: first.operators[0],
      value: this.defaultValue(first, first.operators[0]) };
  };

  Editor.prototype.defaultValue = function (attribute, op) {
    if (NO_VALUE_OPS.indexOf(op) >= 0) { return null; }
    if (LIST_OPS.indexOf(op) >= 0) { return []; }
    if (op === "between") { return ["", ""]; }
    if (attribute.type === "boolean") { return true; }
    if (attribute.values && attribute.values.length) { return attribute.values[0]; }
    return "";
  };

  Editor.prototype.renderGroup = function (group, parent, depth) {
    var self = this;
    var box = el("fieldset", { className: "rule-group" + (depth ? " rule-group-nested" : "") });
    var legendId = nextId("rule-group");
    var opSelect = el("select", { "aria-label": "How the conditions of this group combine",
      id: legendId }, [
      el("option", { value: "all", text: "All of these are true", selected: group.op === "all" }),
      el("option", { value: "any", text: "Any of these is true", selected: group.op === "any" })
    ]);
    opSelect.addEventListener("change", function () { group.op = opSelect.value; self.sync(); });
    var negate = this.negateBox(group, "Not (none of this group holds)");
    var head = el("legend", { className: "rule-group-head" }, [opSelect, negate]);
    box.appendChild(head);
    var list = el("ul", { className: "rule-parts" });
    if (!group.parts.length) {
      list.appendChild(el("li", { className: "rule-empty hint",
        text: group.op === "all" ? "No conditions: always applies." : "No conditions: never applies." }));
    }
    group.parts.forEach(function (part, index) {
      var item = el("li", { className: "rule-part" });
      item.appendChild(part.kind === "group"
        ? self.renderGroup(part, group, depth + 1)
        : self.renderClause(part, group));
      var remove = el("button", { type: "button", className: "rule-remove",
        text: "Remove", "aria-label": "Remove " + (part.kind === "group" ? "group" : "condition") + " " + (index + 1) });
      remove.addEventListener("click", function () { group.parts.splice(index, 1); self.rerender(); });
      item.appendChild(remove);
      list.appendChild(item);
    });
    box.appendChild(list);
    var addClause = el("button", { type: "button", className: "button button-secondary rule-add", text: "Add condition" });
    addClause.addEventListener("click", function () { group.parts.push(self.defaultClause()); self.rerender(); });
    var actions = el("div", { className: "rule-actions" }, [addClause]);
    if (depth < 14) {
      var addGroup = el("button", { type: "button", className: "button button-secondary rule-add", text: "Add group" });
      addGroup.addEventListener("click", function () {
        group.parts.push({ kind: "group", op: group.op === "all" ? "any" : "all", negate: false, parts: [self.defaultClause()] });
        self.rerender();
      });
      actions.appendChild(addGroup);
    }
    box.appendChild(actions);
    return box;
  };

  Editor.prototype.negateBox = function (node, text) {
    var self = this;
    var id = nextId("rule-not");
    var box = el("input", { type: "checkbox", id: id, checked: node.negate });
    box.addEventListener("change", function () { node.negate = box.checked; self.sync(); });
    return el("span", { className: "rule-not" }, [box, el("label", { "for": id, text: text })]);
  };

  Editor.prototype.attributeSelect = function (clause) {
    var select = el("select", { className: "rule-attribute", "aria-label": "Attribute" });
    var groups = {};
    this.vocabulary.attributes.forEach(function (a) {
      var prefix = a.name.split(".")[0];
      if (!groups[prefix]) {
        groups[prefix] = el("optgroup", { label: GROUP_LABELS[prefix] || prefix });
        select.appendChild(groups[prefix]);
      }
      groups[prefix].appendChild(el("option", { value: a.name, text: a.label, title: a.description,
        selected: a.name === clause.attribute }));
    });
    if (!this.attributes[clause.attribute]) {
      select.insertBefore(el("option", { value: clause.attribute, text: clause.attribute + " (unknown)", selected: true }), select.firstChild);
    }
    return select;
  };

  Editor.prototype.renderClause = function (clause) {
    var self = this;
    var row = el("div", { className: "rule-clause" });
    var attribute = this.attributes[clause.attribute];
    var attrSelect = this.attributeSelect(clause);
    attrSelect.addEventListener("change", function () {
      var chosen = self.attributes[attrSelect.value];
      clause.attribute = chosen.name;
      if (chosen.operators.indexOf(clause.op) < 0) { clause.op = chosen.operators[0]; }
      clause.value = self.defaultValue(chosen, clause.op);
      row.replaceWith(self.renderClause(clause));
      self.sync();
    });
    var ops = attribute ? attribute.operators : [clause.op];
    var opSelect = el("select", { className: "rule-op", "aria-label": "Comparison" });
    ops.forEach(function (op) {
      opSelect.appendChild(el("option", { value: op, text: self.vocabulary.operators[op] || op, selected: op === clause.op }));
    });
    opSelect.addEventListener("change", function () {
      var before = clause.op;
      clause.op = opSelect.value;
      var wasList = LIST_OPS.indexOf(before) >= 0, isList = LIST_OPS.indexOf(clause.op) >= 0;
      if (wasList !== isList || before === "between" || clause.op === "between" ||
          NO_VALUE_OPS.indexOf(clause.op) >= 0 || NO_VALUE_OPS.indexOf(before) >= 0) {
        clause.value = self.defaultValue(attribute, clause.op);
      }
      row.replaceWith(self.renderClause(clause));
      self.sync();
    });
    row.appendChild(attrSelect);
    row.appendChild(opSelect);
    if (attribute && NO_VALUE_OPS.indexOf(clause.op) < 0) { row.appendChild(this.valueInput(clause, attribute)); }
    row.appendChild(this.negateBox(clause, "Not"));
    return row;
  };

  Editor.prototype.scalarInput = function (attribute, value, label, onChange) {
    var input;
    if (attribute.type === "boolean") {
      input = el("select", { "aria-label": label }, [
        el("option", { value: "true", text: "yes", selected: value === true }),
        el("option", { value: "false", text: "no", selected: value === false })
      ]);
      input.addEventListener("change", function () { onChange(input.value === "true"); });
      return input;
    }
    if (attribute.values) {
      input = el("select", { "aria-label": label });
      attribute.values.forEach(function (v) { input.appendChild(el("option", { value: v, text: v, selected: v === value })); });
      input.addEventListener("change", function () { onChange(input.value); });
      return input;
    }
    var type = attribute.type === "date" ? "date" : (attribute.type === "integer" || attribute.type === "decimal") ? "number" : "text";
    input = el("input", { type: type, "aria-label": label, value: value === null || value === undefined ? "" : value,
      step: attribute.type === "decimal" ? "any" : (attribute.type === "integer" ? "1" : null) });
    input.addEventListener("input", function () {
      var raw = input.value;
      if (attribute.type === "integer" && raw !== "" && /^-?\d+$/.test(raw)) { onChange(parseInt(raw, 10)); }
      else { onChange(raw); }
    });
    return input;
  };

  Editor.prototype.valueInput = function (clause, attribute) {
    var self = this;
    var wrap = el("span", { className: "rule-value" });
    if (clause.op === "between") {
      var pair = Array.isArray(clause.value) ? clause.value : ["", ""];
      clause.value = pair;
      wrap.appendChild(this.scalarInput(attribute, pair[0], "From (inclusive)", function (v) { pair[0] = v; self.sync(); }));
      wrap.appendChild(el("span", { className: "rule-to", text: "up to (not including)" }));
      wrap.appendChild(this.scalarInput(attribute, pair[1], "To (exclusive)", function (v) { pair[1] = v; self.sync(); }));
      return wrap;
    }
    if (LIST_OPS.indexOf(clause.op) >= 0) {
      var values = Array.isArray(clause.value) ? clause.value : [];
      clause.value = values;
      if (attribute.values) {
        var multi = el("select", { multiple: true, size: Math.min(attribute.values.length, 6), "aria-label": "Values (choose one or more)" });
        attribute.values.forEach(function (v) { multi.appendChild(el("option", { value: v, text: v, selected: values.indexOf(v) >= 0 })); });
        multi.addEventListener("change", function () {
          clause.value = Array.prototype.filter.call(multi.options, function (o) { return o.selected; }).map(function (o) { return o.value; });
          self.sync();
        });
        wrap.appendChild(multi);
        return wrap;
      }
      var text = el("input", { type: "text", "aria-label": "Values, separated by commas", value: values.join(", "),
        placeholder: "value, value, ..." });
      text.addEventListener("input", function () {
        clause.value = text.value.split(",").map(function (s) { return s.trim(); }).filter(function (s) { return s !== ""; })
          .map(function (s) { return attribute.type === "integer" && /^-?\d+$/.test(s) ? parseInt(s, 10) : s; });
        self.sync();
      });
      wrap.appendChild(text);
      return wrap;
    }
    wrap.appendChild(this.scalarInput(attribute, clause.value, "Value", function (v) { clause.value = v; self.sync(); }));
    return wrap;
  };

  /* ---- "Test this rule" ---- */

  Editor.prototype.usedAttributes = function () {
    var seen = [];
    (function walk(node) {
      if (node.kind === "group") { node.parts.forEach(walk); }
      else if (seen.indexOf(node.attribute) < 0) { seen.push(node.attribute); }
    })(this.model);
    return seen;
  };

  Editor.prototype.renderTestPanel = function () {
    var self = this;
    var panel = el("details", { className: "rule-test" });
    panel.appendChild(el("summary", { text: "Test this rule" }));
    panel.appendChild(el("p", { className: "hint", text: "Build a real sale from codes, type sample values, or both (sample values win). Nothing is saved." }));
    var codes = el("div", { className: "rule-test-codes" });
    var codeInputs = {};
    [["channel_code", "Channel code"], ["customer_code", "Customer code"], ["premise_code", "Premise code"],
      ["partner_code", "Partner code"], ["offering_code", "Offering code"], ["at", "Sale date"]].forEach(function (pair) {
      var id = nextId("rule-test");
      var input = el("input", { id: id, type: pair[0] === "at" ? "date" : "text", autocomplete: "off" });
      codeInputs[pair[0]] = input;
      codes.appendChild(el("div", { className: "rule-test-field" }, [el("label", { "for": id, text: pair[1] }), input]));
    });
    panel.appendChild(codes);
    var samples = el("div", { className: "rule-test-samples" });
    var sampleInputs = {};
    panel.appendChild(el("p", { className: "rule-test-heading", text: "Sample values of the attributes this rule uses" }));
    panel.appendChild(samples);
    this.refreshSample = function () {
      var used = self.usedAttributes();
      Object.keys(sampleInputs).forEach(function (name) {
        if (used.indexOf(name) < 0) { sampleInputs[name].row.remove(); delete sampleInputs[name]; }
      });
      used.forEach(function (name) {
        if (sampleInputs[name] || !self.attributes[name]) { return; }
        var a = self.attributes[name];
        var id = nextId("rule-sample");
        var input = el("input", { id: id, type: a.type === "date" ? "date" : "text", autocomplete: "off",
          placeholder: a.type === "string_set" ? "a, b, c" : (a.type === "boolean" ? "yes or no" : (a.values ? a.values.join(" | ") : "")) });
        var row = el("div", { className: "rule-test-field" }, [el("label", { "for": id, text: a.label }), input]);
        sampleInputs[name] = { input: input, row: row };
        samples.appendChild(row);
      });
    };
    this.refreshSample();
    var button = el("button", { type: "button", className: "button", text: "Test" });
    var result = el("div", { className: "rule-test-result", role: "status", "aria-live": "polite" });
    button.addEventListener("click", function () {
      var body = new FormData();
      var form = self.root.closest("form");
      var token = form ? form.querySelector("input[name=csrf_token]") : null;
      body.append("csrf_token", token ? token.value : "");
      body.append("condition", self.field.value);
      Object.keys(codeInputs).forEach(function (key) { body.append(key, codeInputs[key].value); });
      var sample = {};
      Object.keys(sampleInputs).forEach(function (name) {
        var v = sampleInputs[name].input.value.trim();
        if (v !== "") { sample[name] = v; }
      });
      body.append("sample", JSON.stringify(sample));
      result.textContent = "Testing…";
      result.className = "rule-test-result";
      fetch(self.testUrl, { method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          var type = response.headers.get("content-type") || "";
          if (type.indexOf("application/json") < 0) {
            throw new Error(response.status === 403 ? "Not allowed (reload the page and try again)." : "The test failed (" + response.status + ").");
          }
          return response.json();
        })
        .then(function (data) { self.showResult(result, data); })
        .catch(function (error) { result.className = "rule-test-result is-error"; result.textContent = error.message; });
    });
    panel.appendChild(el("div", { className: "rule-actions" }, [button]));
    panel.appendChild(result);
    return panel;
  };

  Editor.prototype.showResult = function (result, data) {
    result.textContent = "";
    if (data.errors) {
      result.className = "rule-test-result is-error";
      result.appendChild(el("p", { text: data.message || "Cannot test this rule:" }));
      result.appendChild(el("ul", {}, data.errors.map(function (e) { return el("li", { text: (e.location ? e.location + ": " : "") + e.message }); })));
      return;
    }
    result.className = "rule-test-result " + (data.matched ? "is-match" : "is-no-match");
    result.appendChild(el("p", { className: "rule-test-verdict", text: data.matched ? "Matched" : "Not matched" }));
    result.appendChild(el("p", { className: "hint", text: "The rule reads: " + data.description }));
    if (data.failed && data.failed.length) {
      result.appendChild(el("p", { text: "Failing conditions:" }));
      result.appendChild(el("ul", { className: "rule-test-failed" }, data.failed.map(function (f) { return el("li", { text: f }); })));
    }
    if (data.context && data.context.length) {
      var dl = el("dl", { className: "rule-test-context" });
      data.context.forEach(function (pair) { dl.appendChild(el("dt", { text: pair[0] })); dl.appendChild(el("dd", { text: pair[1] })); });
      var more = el("details", {}, [el("summary", { text: "Values tested" }), dl]);
      result.appendChild(more);
    }
  };

  function enhance(root) {
    if (root.getAttribute("data-enhanced")) { return; }
    var editor;
    try {
      editor = new Editor(root);
    } catch (error) {
      return; /* not a condition the editor understands: leave the text area */
    }
    root.setAttribute("data-enhanced", "true");
    editor.field.hidden = true;
    editor.ui.hidden = false;
    editor.render();
    var label = root.querySelector(".rule-editor-label");
    if (label) { label.setAttribute("for", ""); label.removeAttribute("for"); }
  }

  function start() { document.querySelectorAll("[data-rule-editor]").forEach(enhance); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();

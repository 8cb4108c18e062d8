/* The catalog section of the admin area: the record form sends JSON with the CSRF header
   and shows the Italian errors of the API next to each field (templates/admin/catalog_record.html). */
(function () {
  "use strict";
  var main = document.getElementById("main");
  var form = document.getElementById("catalog-form");
  if (!main || !form) { return; }
  var csrf = main.getAttribute("data-csrf");
  var TEXTS = JSON.parse(main.getAttribute("data-texts") || "{}");
  var status = document.getElementById("form-status");
  var kind = form.getAttribute("data-kind");
  var id = form.getAttribute("data-id");

  function t(key, values) {
    var node = TEXTS;
    key.split(".").forEach(function (part) { node = node && node[part]; });
    var text = typeof node === "string" ? node : key;
    Object.keys(values || {}).forEach(function (k) { text = text.split("{" + k + "}").join(values[k]); });
    return text;
  }

  function lines(value) {
    return value.split("\n").map(function (v) { return v.trim(); }).filter(Boolean);
  }

  function collect() {
    var data = {};
    var area = {};
    var groups = [];
    var problems = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name) { return; }
      var type = el.getAttribute("data-type");
      if (el.name === "target_groups") { if (el.checked) { groups.push(el.value); } return; }
      if (el.name === "area.kind") { area.kind = el.value; return; }
      if (el.name === "area.values") { area.values = el.value; return; }
      if (el.name.indexOf("contacts.") === 0) {
        data.contacts = data.contacts || {};
        if (el.value.trim()) { data.contacts[el.name.slice(9)] = el.value.trim(); }
        return;
      }
      if (type === "bool") { data[el.name] = el.checked; return; }
      if (type === "lines") { data[el.name] = lines(el.value); return; }
      if (type === "int") { data[el.name] = el.value.trim() === "" ? null : el.value.trim(); return; }
      if (type === "json") {
        try { data[el.name] = JSON.parse(el.value || "[]"); }
        catch (e) { problems.push({ field: el.name, message: t("admin.catalog.js.bad_json") }); }
        return;
      }
      data[el.name] = el.value.trim() === "" ? null : el.value;
    });
    if (form.querySelector('[name="target_groups"]')) { data.target_groups = groups; }
    if (area.kind) {
      var wide = area.kind === "national" || area.kind === "region" || area.kind === "asl";
      var values = { national: true, region: "piemonte", asl: "to4" }[area.kind];
      data.area = {};
      data.area[area.kind] = wide ? values : area.values.split(",").map(function (v) { return v.trim(); }).filter(Boolean);
    }
    return { data: data, problems: problems };
  }

  function clearErrors() {
    Array.prototype.forEach.call(form.querySelectorAll(".error"), function (p) { p.hidden = true; p.textContent = ""; });
  }

  function showErrors(errors) {
    errors.forEach(function (err) {
      var base = err.field.split("[")[0];
      var target = document.getElementById("e-" + err.field) || document.getElementById("e-" + base) ||
        document.getElementById("e-" + base.split(".")[0]) || document.getElementById("e-record");
      target.hidden = false;
      target.textContent = (target.textContent ? target.textContent + " " : "") + err.message;
    });
    status.textContent = t("admin.catalog.js.fix_errors", { n: errors.length });
  }

  function send(method, path, body) {
    var opts = { method: method, credentials: "same-origin", headers: { "X-CSRF-Token": csrf } };
    if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
    return fetch("/console/api/admin/catalog" + path, opts).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (json) { return { status: res.status, json: json }; });
    });
  }

  function done(answer) {
    if (answer.status === 200 || answer.status === 201) {
      var rid = answer.json.record.id;
      window.location.href = "/console/admin/catalog/" + kind + "/" + encodeURIComponent(rid) + "?saved=1";
    } else if (answer.status === 422) {
      showErrors(answer.json.errors || []);
    } else {
      status.textContent = t("admin.catalog.js.failed", { detail: (answer.json && answer.json.error) || answer.status });
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors();
    var collected = collect();
    if (collected.problems.length) { showErrors(collected.problems); return; }
    status.textContent = t("admin.catalog.js.saving");
    if (id) { send("PATCH", "/" + kind + "/" + encodeURIComponent(id), collected.data).then(done); }
    else { send("POST", "/" + kind, collected.data).then(done); }
  });

  var deactivate = document.getElementById("deactivate");
  if (deactivate) {
    deactivate.addEventListener("click", function () {
      if (!window.confirm(t("admin.catalog.js.confirm_deactivate"))) { return; }
      send("POST", "/" + kind + "/" + encodeURIComponent(id) + "/deactivate").then(done);
    });
  }
  if (window.location.search.indexOf("saved=1") >= 0) { status.textContent = t("admin.catalog.js.saved"); }
}());

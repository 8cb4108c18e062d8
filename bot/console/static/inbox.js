/* The NLU inbox page (templates/admin/inbox.html): row and bulk actions on the JSON API.
 * Every label comes from bot/texts/console.yml (data-texts); every POST sends the CSRF header.
 * After an action the page reloads (the server re-reads the inbox) and shows the result. */
(function () {
  "use strict";
  var main = document.getElementById("main");
  var TEXTS = JSON.parse(main.getAttribute("data-texts") || "{}");
  var CSRF = main.getAttribute("data-csrf");
  var API = "/console/api/admin/inbox";
  var FLASH = "wecare-inbox-result";
  var REFUSED = TEXTS.admin.inbox.refused_reasons;

  function t(key, values) {
    var node = TEXTS;
    key.split(".").forEach(function (part) {
      node = node && typeof node === "object" ? node[part] : undefined;
    });
    var text = typeof node === "string" ? node : key;
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      return values && values[name] !== undefined ? String(values[name]) : whole;
    });
  }

  function show(text) { document.getElementById("inbox-result").textContent = text; }

  function post(path, body) {
    return fetch(API + path, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": CSRF },
      body: JSON.stringify(body),
      credentials: "same-origin",
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { throw new Error(data.error || String(response.status)); }
        return data;
      });
    });
  }

  function done(text) {
    sessionStorage.setItem(FLASH, text);
    window.location.reload();
  }

  function fail(error) { show(t("admin.inbox.failed", { error: error.message })); }

  function rowIds(row) { return row.getAttribute("data-ids").split(",").map(Number); }

  function selectedIds() {
    var ids = [];
    document.querySelectorAll("#inbox tbody tr").forEach(function (row) {
      if (row.querySelector(".pick").checked) { ids = ids.concat(rowIds(row)); }
    });
    return ids;
  }

  // The optional entities of a row: words of the (masked) text shown, with a value if chosen.
  function rowEntities(row) {
    var text = row.querySelector(".inbox-text").textContent;
    var entities = [];
    var missing = null;
    row.querySelectorAll(".ent-text").forEach(function (input) {
      var words = input.value.trim();
      if (!words) { return; }
      if (text.indexOf(words) < 0) { missing = words; return; }
      var kind = input.getAttribute("data-entity");
      var value = row.querySelector('.ent-value[data-entity="' + kind + '"]');
      entities.push({ text: words, entity: kind, value: value && value.value ? value.value : null });
    });
    if (missing !== null) { show(t("admin.inbox.entity_not_in_text", { text: missing })); return null; }
    return entities;
  }

  function annotate(ids, intent, entities) {
    if (!intent) { show(t("admin.inbox.need_intent")); return; }
    if (entities === null) { return; }
    post("/annotate", { ids: ids, intent: intent, entities: entities || [] }).then(function (data) {
      done(t("admin.inbox.done", { count: data.changed.length }));
    }, fail);
  }

  function status(ids, value) {
    post("/status", { ids: ids, status: value }).then(function (data) {
      done(t("admin.inbox.done", { count: data.changed.length }));
    }, fail);
  }

  function add(ids) {
    post("/add", { ids: ids }).then(function (data) {
      var text = t("admin.inbox.added", { added: data.added.length });
      if (data.refused.length) {
        var why = data.refused.map(function (r) {
          return "#" + r.id + " " + (REFUSED[r.reason] || r.reason);
        });
        text += " " + t("admin.inbox.refused", { count: data.refused.length, reasons: why.join(", ") });
      }
      done(text);
    }, fail);
  }

  function reveal(row) {
    if (!window.confirm(t("admin.inbox.reveal_confirm"))) { return; }
    post("/" + row.getAttribute("data-item") + "/reveal", {}).then(function (data) {
      show(t("admin.inbox.revealed", { text: data.text }));
    }, fail);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action], button[data-bulk]");
    if (!button) { return; }
    var bulk = button.getAttribute("data-bulk");
    if (bulk) {
      var ids = selectedIds();
      if (!ids.length) { show(t("admin.inbox.need_selection")); return; }
      if (bulk === "annotate") { annotate(ids, document.getElementById("bulk-intent").value); }
      if (bulk === "ignore") { status(ids, "ignored"); }
      if (bulk === "add") { add(ids); }
      return;
    }
    var row = button.closest("tr");
    var action = button.getAttribute("data-action");
    if (action === "annotate") {
      annotate(rowIds(row), row.querySelector(".row-intent").value, rowEntities(row));
    }
    if (action === "ignore") { status(rowIds(row), "ignored"); }
    if (action === "restore") { status(rowIds(row), "new"); }
    if (action === "reveal") { reveal(row); }
  });

  var all = document.getElementById("select-all");
  all.addEventListener("change", function () {
    document.querySelectorAll("#inbox .pick").forEach(function (box) { box.checked = all.checked; });
  });

  var flash = sessionStorage.getItem(FLASH);
  if (flash) { sessionStorage.removeItem(FLASH); show(flash); }
})();

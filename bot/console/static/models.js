/* The models page (templates/admin/models.html): train, deploy (gate reasons, override), rollback.
 * Labels from bot/texts/console.yml (data-texts); POSTs carry the CSRF header. While a model
 * trains, the page reloads every 3 s to show its progress. */
(function () {
  "use strict";
  var main = document.getElementById("main");
  var TEXTS = JSON.parse(main.getAttribute("data-texts") || "{}");
  var CSRF = main.getAttribute("data-csrf");
  var API = "/console/api/admin/models";
  var FLASH = "wecare-models-result";
  var pending = null;
  var REASONS = TEXTS.admin.models.reasons;

  /** A refusal reason in Italian ({code, values, text} from the API). */
  function reasonText(reason) {
    var text = REASONS[reason.code] || reason.text;
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      return reason.values && reason.values[name] !== undefined ? String(reason.values[name]) : whole;
    });
  }

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

  function show(text) { document.getElementById("models-result").textContent = text; }

  function post(path, body) {
    return fetch(API + path, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": CSRF },
      body: JSON.stringify(body || {}),
      credentials: "same-origin",
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    });
  }

  function done(text) { sessionStorage.setItem(FLASH, text); window.location.reload(); }

  function refused(data) {
    var list = document.getElementById("gate-reasons");
    list.textContent = "";
    (data.reasons || []).forEach(function (reason) {
      var li = document.createElement("li");
      li.textContent = reasonText(reason);
      list.appendChild(li);
    });
    document.getElementById("gate").hidden = false;
    document.getElementById("btn-override").hidden = !data.overridable;
    show(t("admin.models.refused"));
  }

  function deploy(version, override) {
    pending = version;
    post("/deploy", { version: version, override: override || "" }).then(function (r) {
      if (r.status === 409) { refused(r.data); return; }
      if (r.status !== 200) { show(t("admin.models.failed", { error: r.data.error })); return; }
      done(t("admin.models.done", { version: r.data.version, servers: r.data.servers.length }));
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-deploy]");
    if (button) { deploy(button.getAttribute("data-deploy")); }
  });

  document.getElementById("btn-override").addEventListener("click", function () {
    var reason = document.getElementById("override-reason").value.trim();
    if (!reason) { show(t("admin.models.need_reason")); return; }
    deploy(pending, reason);
  });

  document.getElementById("btn-train").addEventListener("click", function () {
    post("/train").then(function (r) {
      if (r.status === 409) { show(t("admin.models.busy", { version: r.data.version })); return; }
      if (r.data.unchanged) { show(t("admin.models.unchanged", { version: r.data.version })); return; }
      done(t("admin.models.started", { version: r.data.version }));
    });
  });

  document.getElementById("btn-rollback").addEventListener("click", function () {
    post("/rollback").then(function (r) {
      if (r.status === 409) { show((r.data.reasons || []).map(reasonText).join("; ")); return; }
      if (r.status !== 200) { show(t("admin.models.failed", { error: r.data.error })); return; }
      done(t("admin.models.done", { version: r.data.version, servers: r.data.servers.length }));
    });
  });

  if (document.querySelector('#models td.status') &&
      Array.prototype.some.call(document.querySelectorAll("#models tr[data-version]"), function (row) {
        return row.querySelector(".status").textContent.trim().indexOf(TEXTS.admin.models.statuses.training) === 0;
      })) {
    window.setTimeout(function () { window.location.reload(); }, 3000);
  }

  var flash = sessionStorage.getItem(FLASH);
  if (flash) { sessionStorage.removeItem(FLASH); show(flash); }
})();

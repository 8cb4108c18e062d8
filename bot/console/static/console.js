/* WeCare operator console: plain JavaScript, no build step.
 *
 * Everything shown comes from the JSON API and is put in the page with textContent (never
 * innerHTML), so citizen text cannot inject markup. State-changing calls send the session's
 * CSRF token in the X-CSRF-Token header. Live updates arrive on the /console/ws WebSocket.
 */
(function () {
  "use strict";

  var main = document.getElementById("main");
  var csrf = main.getAttribute("data-csrf");
  var me = document.getElementById("me");
  var myId = Number(me.getAttribute("data-operator-id"));
  var state = { current: null, detail: null, lists: null, loadedAt: 0, enti: {} };
  var KIND_LABEL = { citizen: "Cittadino", bot: "Assistente", system: "Avviso", operator: "Operatore" };
  var STATUS_LABEL = {
    queued: "in coda", assigned: "in corso", offline: "fuori orario",
    awaiting_contact: "lascia un recapito", awaiting_comune: "chiede il comune",
    returned: "restituita all'assistente", closed: "chiusa", cancelled: "annullata",
    contact_left: "recapito lasciato"
  };

  var REASON_LABEL = {
    request: "richiesta del cittadino", citizen_request: "richiesta del cittadino",
    fallback: "incomprensioni ripetute", misunderstanding: "incomprensioni ripetute",
    violence: "violenza", self_harm: "rischio di autolesionismo",
    operator_takeover: "subentro dell'operatore"
  };
  var RISK_LABEL = { violence: "violenza", self_harm: "rischio autolesivo" };
  var NEED_LABEL = {
    economic_support: "sostegno economico", housing: "casa", employment: "lavoro",
    family_minors: "famiglia e minori", elderly_care: "anziani", disability: "disabilità",
    violence: "violenza", health: "salute", social_inclusion: "inclusione sociale"
  };

  function $(id) { return document.getElementById(id); }

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (cls) { node.className = cls; }
    return node;
  }

  function api(method, path, body) {
    var opts = { method: method, credentials: "same-origin", headers: {} };
    if (method !== "GET") { opts.headers["X-CSRF-Token"] = csrf; }
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch("/console/api" + path, opts).then(function (res) {
      if (res.status === 401) { window.location.href = "/console/login"; }
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) {
          var err = new Error(data.detail || ("HTTP " + res.status));
          err.status = res.status;
          throw err;
        }
        return data;
      });
    });
  }

  function feedback(text) { $("feedback").textContent = text; }

  function minutes(seconds) {
    var m = Math.floor(seconds / 60);
    if (m < 1) { return "meno di 1 min"; }
    if (m < 60) { return m + " min"; }
    return Math.floor(m / 60) + " h " + (m % 60) + " min";
  }

  function timeOf(iso) {
    if (!iso) { return ""; }
    var d = new Date(iso);
    return d.toLocaleString("it-IT", { day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit" });
  }

  // -- lists ---------------------------------------------------------------------------

  function itemButton(label, conversationId) {
    var button = el("button", label, "item");
    button.type = "button";
    button.setAttribute("data-conversation-id", String(conversationId));
    if (state.current === conversationId) { button.setAttribute("aria-current", "true"); }
    button.addEventListener("click", function () { openConversation(conversationId); });
    return button;
  }

  function describe(row, extra) {
    var c = row.conversation;
    var parts = [row.ente_name, c.comune || "comune ?", c.channel === "telegram" ? "Telegram" : "web"];
    if (row.handoff.urgent) {
      parts.unshift("⚠ URGENTE: " + (RISK_LABEL[row.handoff.risk] || "persona a rischio"));
    }
    if (extra) { parts.push(extra); }
    return parts.join(" · ");
  }

  function rowItem(row) {
    var li = el("li");
    if (row.handoff.urgent) { li.className = "urgent"; }
    return li;
  }

  function renderLists() {
    var lists = state.lists;
    if (!lists) { return; }
    var elapsed = Math.floor((Date.now() - state.loadedAt) / 1000);
    var queue = $("queue");
    queue.textContent = "";
    lists.queued.forEach(function (row) {
      var li = rowItem(row);
      li.appendChild(itemButton(
        "#" + row.position + " · " + describe(row, "in attesa da " + minutes(row.waiting_seconds + elapsed)),
        row.conversation.id));
      queue.appendChild(li);
    });
    if (!lists.queued.length) { queue.appendChild(el("li", "Nessuno in coda.", "none")); }
    $("queue-count").textContent = "(" + lists.queued.length + ")";
    var assigned = $("assigned");
    assigned.textContent = "";
    lists.assigned.forEach(function (row) {
      var who = row.mine ? "con te" : "con " + (row.handoff.operator_name || "?");
      var li = rowItem(row);
      li.appendChild(itemButton(describe(row, who), row.conversation.id));
      assigned.appendChild(li);
    });
    if (!lists.assigned.length) { assigned.appendChild(el("li", "Nessuna conversazione in corso.", "none")); }
    var offline = $("offline");
    offline.textContent = "";
    lists.offline.forEach(function (row) {
      var li = rowItem(row);
      li.appendChild(itemButton(describe(row, STATUS_LABEL[row.handoff.status] || row.handoff.status), row.conversation.id));
      offline.appendChild(li);
    });
    if (!lists.offline.length) { offline.appendChild(el("li", "Nessuna.", "none")); }
  }

  function loadLists() {
    return api("GET", "/queue").then(function (data) {
      state.lists = data;
      state.loadedAt = Date.now();
      renderLists();
    }).catch(function (err) { feedback("Errore nel caricare la coda: " + err.message); });
  }

  function loadContacts() {
    return api("GET", "/contacts").then(function (data) {
      var list = $("contacts");
      list.textContent = "";
      data.contacts.forEach(function (c) {
        var li = el("li", null, "contact");
        li.appendChild(el("span", timeOf(c.time) + " · " + (state.enti[c.ente_gestore_id] || c.ente_gestore_id || "") + ": "));
        li.appendChild(el("span", c.contact, "contact-text"));
        var done = el("button", "Richiamato", "secondary small");
        done.type = "button";
        done.setAttribute("aria-label", "Segna come richiamato: " + c.contact);
        done.addEventListener("click", function () {
          api("POST", "/contacts/" + c.id + "/handled").then(loadContacts)
            .catch(function (err) { feedback(err.message); });
        });
        li.appendChild(done);
        var open = itemButton("Apri conversazione", c.conversation_id);
        open.className = "link";
        li.appendChild(open);
        list.appendChild(li);
      });
      if (!data.contacts.length) { list.appendChild(el("li", "Nessun recapito da richiamare.", "none")); }
    }).catch(function () {});
  }

  function loadBotConversations() {
    return api("GET", "/bot-conversations").then(function (data) {
      var list = $("botconvs");
      list.textContent = "";
      data.conversations.slice(0, 15).forEach(function (c) {
        var li = el("li");
        var label = [state.enti[c.ente_gestore_id] || "consorzio ?", c.comune || "comune ?",
          c.channel === "telegram" ? "Telegram" : "web", "ultimo messaggio " + timeOf(c.updated_at)].join(" · ");
        li.appendChild(itemButton(label, c.id));
        list.appendChild(li);
      });
      if (!data.conversations.length) { list.appendChild(el("li", "Nessuna.", "none")); }
    }).catch(function () {});
  }

  function refreshAll() {
    loadLists();
    loadContacts();
    loadBotConversations();
  }

  // -- conversation --------------------------------------------------------------------

  function messageItem(m) {
    var kind = m.sender_kind || "bot";
    var li = el("li", null, "msg msg-" + kind);
    li.setAttribute("data-message-id", String(m.id));
    var who = kind === "operator" ? (m.sender_name || "Operatore") + " (operatore)" : KIND_LABEL[kind] || kind;
    var meta = who + " · " + timeOf(m.time);
    if (m.direction === "out" && m.status === "failed") { meta += " · non consegnato"; }
    li.appendChild(el("span", meta, "meta"));
    if (m.text) { li.appendChild(el("p", m.text, "text")); }
    if (m.custom) { li.appendChild(el("p", m.custom, "custom")); }
    if (m.buttons && m.buttons.length) { li.appendChild(el("p", "Pulsanti: " + m.buttons.join(" | "), "buttons")); }
    return li;
  }

  function appendMessage(m) {
    var transcript = $("transcript");
    if (transcript.querySelector('[data-message-id="' + Number(m.id) + '"]')) { return; }
    transcript.appendChild(messageItem(m));
    transcript.scrollTop = transcript.scrollHeight;
  }

  function info(dl, label, value) {
    dl.appendChild(el("dt", label));
    dl.appendChild(el("dd", value || "—"));
  }

  function renderDetail() {
    var d = state.detail;
    var c = d.conversation;
    var h = d.handoff;
    $("empty").hidden = true;
    $("conversation").hidden = false;
    $("conv-title").textContent = "Conversazione " + c.id + " (" + (c.channel === "telegram" ? "Telegram" : "web") + ")";
    var dl = $("conv-info");
    dl.textContent = "";
    info(dl, "Consorzio", d.ente_name);
    info(dl, "Comune", c.comune);
    info(dl, "Bisogno", d.need && (NEED_LABEL[d.need] || d.need));
    info(dl, "Stato", c.mode === "bot" ? "con l'assistente" : (h ? STATUS_LABEL[h.status] || h.status : ""));
    info(dl, "Operatore", h && h.operator_name);
    info(dl, "Motivo", h && (REASON_LABEL[h.reason] || h.reason));
    var transcript = $("transcript");
    transcript.textContent = "";
    d.messages.forEach(appendMessage);
    var notes = $("notes");
    notes.textContent = "";
    d.notes.forEach(function (n) {
      var li = el("li", null, "note");
      li.appendChild(el("span", n.author + " · " + timeOf(n.time) + ": ", "meta"));
      li.appendChild(el("span", n.text));
      notes.appendChild(li);
    });
    var active = h && ["queued", "assigned", "offline", "awaiting_contact", "awaiting_comune"].indexOf(h.status) >= 0 && c.mode !== "bot";
    var supervisor = me.getAttribute("data-role") !== "operator";
    $("btn-claim").hidden = !(active && h.status === "queued");
    $("btn-takeover").hidden = c.mode !== "bot";
    $("btn-handback").hidden = !(active && h.status === "assigned" && (d.mine || supervisor));
    $("btn-close").hidden = $("btn-handback").hidden;
    $("composer").hidden = !d.mine;
    $("transfer").hidden = !(active && (h.status === "queued" || d.mine || supervisor));
  }

  function openConversation(id) {
    if (state.current !== id) { feedback(""); }
    state.current = id;
    return api("GET", "/conversations/" + id).then(function (data) {
      state.detail = data;
      renderDetail();
      renderLists();
    }).catch(function (err) { feedback("Impossibile aprire la conversazione: " + err.message); });
  }

  function reloadCurrent() {
    if (state.current !== null) { return openConversation(state.current); }
    return Promise.resolve();
  }

  function act(path, body, done) {
    if (state.current === null) { return; }
    api("POST", "/conversations/" + state.current + path, body).then(function () {
      feedback(done);
      return Promise.all([reloadCurrent(), loadLists(), loadBotConversations()]);
    }).catch(function (err) {
      feedback(err.status === 409 ? "Qualcun altro ha già agito su questa conversazione." : "Errore: " + err.message);
      reloadCurrent();
      loadLists();
    });
  }

  $("btn-claim").addEventListener("click", function () { act("/claim", undefined, "Conversazione presa in carico."); });
  $("btn-takeover").addEventListener("click", function () { act("/takeover", undefined, "Sei subentrato all'assistente."); });
  $("btn-handback").addEventListener("click", function () { act("/handback", undefined, "Conversazione restituita all'assistente."); });
  $("btn-close").addEventListener("click", function () { act("/close", undefined, "Conversazione chiusa."); });

  $("composer").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var box = $("reply");
    var text = box.value.trim();
    if (!text || state.current === null) { return; }
    api("POST", "/conversations/" + state.current + "/messages", { text: text }).then(function (data) {
      box.value = "";
      appendMessage(data.message);
      feedback("Messaggio inviato.");
    }).catch(function (err) { feedback("Messaggio non inviato: " + err.message); });
  });

  $("reply").addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey) {
      ev.preventDefault();
      $("composer").requestSubmit();
    }
  });

  $("canned").addEventListener("change", function () {
    var value = $("canned").value;
    if (value) { $("reply").value = value; $("reply").focus(); }
    $("canned").value = "";
  });

  $("note-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = $("note").value.trim();
    if (!text || state.current === null) { return; }
    api("POST", "/conversations/" + state.current + "/notes", { text: text }).then(function () {
      $("note").value = "";
      feedback("Nota salvata.");
      reloadCurrent();
    }).catch(function (err) { feedback("Nota non salvata: " + err.message); });
  });

  $("transfer").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var value = $("transfer-target").value;
    var body = value.indexOf("ente:") === 0 ? { ente_gestore_id: value.slice(5) } : { operator_id: Number(value.slice(3)) };
    act("/transfer", body, "Conversazione trasferita.");
  });

  // -- setup ---------------------------------------------------------------------------

  api("GET", "/me").then(function (data) { state.enti = data.enti || {}; refreshAll(); });
  api("GET", "/canned").then(function (data) {
    var select = $("canned");
    data.replies.forEach(function (r) {
      var opt = el("option", r.title);
      opt.value = r.text;
      select.appendChild(opt);
    });
  });
  api("GET", "/operators").then(function (data) {
    var group = $("transfer-operators");
    data.operators.forEach(function (o) {
      if (o.id === myId) { return; }
      var opt = el("option", o.display_name + " (" + (o.enti.join(", ") || o.role) + ")");
      opt.value = "op:" + o.id;
      group.appendChild(opt);
    });
  });
  setInterval(renderLists, 15000);

  var listTimer = null;
  function refreshListsSoon() {
    if (listTimer) { return; }
    listTimer = setTimeout(function () { listTimer = null; loadLists(); loadBotConversations(); }, 300);
  }

  var retry = 1000;
  function connect() {
    var proto = window.location.protocol === "https:" ? "wss:" : "ws:";
    var ws = new WebSocket(proto + "//" + window.location.host + "/console/ws");
    ws.onopen = function () { retry = 1000; };
    ws.onmessage = function (ev) {
      var data;
      try { data = JSON.parse(ev.data); } catch (e) { return; }
      if (data.type === "ready") {
        $("live").textContent = "aggiornamenti in tempo reale attivi";
        $("live").setAttribute("data-state", "on");
      } else if (data.type === "message") {
        if (data.conversation_id === state.current) { appendMessage(data.message); }
        refreshListsSoon();
      } else if (data.type === "queue") {
        refreshListsSoon();
        if (data.conversation_id === state.current) { reloadCurrent(); }
      } else if (data.type === "notes") {
        if (data.conversation_id === state.current) { reloadCurrent(); }
      } else if (data.type === "contacts") {
        loadContacts();
        refreshListsSoon();
      }
    };
    ws.onclose = function () {
      $("live").textContent = "riconnessione…";
      $("live").setAttribute("data-state", "off");
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }
  connect();
})();

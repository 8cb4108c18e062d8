/* WeCare operator console: plain JavaScript, no build step.
 *
 * Everything shown comes from the JSON API and is put in the page with textContent (never
 * innerHTML), so citizen text cannot inject markup. State-changing calls send the session's
 * CSRF token in the X-CSRF-Token header. Live updates arrive on the /console/ws WebSocket.
 * Every label comes from bot/texts/console.yml, given by the page as JSON (data-texts).
 */
(function () {
  "use strict";

  var main = document.getElementById("main");
  var csrf = main.getAttribute("data-csrf");
  var me = document.getElementById("me");
  var myId = Number(me.getAttribute("data-operator-id"));
  var state = { current: null, detail: null, lists: null, loadedAt: 0, enti: {} };
  var TEXTS = JSON.parse(main.getAttribute("data-texts") || "{}");
  var KIND_LABEL = TEXTS.senders || {};
  var STATUS_LABEL = TEXTS.statuses || {};
  var REASON_LABEL = TEXTS.reasons || {};
  var RISK_LABEL = TEXTS.risks || {};
  var NEED_LABEL = TEXTS.needs || {};

  /** The console text `key` ("js.sent"), its {placeholders} filled from `values`. */
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

  function channelName(channel) { return channel === "telegram" ? t("js.telegram") : t("js.web"); }

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
    if (m < 1) { return t("js.less_than_a_minute"); }
    if (m < 60) { return t("js.minutes", { m: m }); }
    return t("js.hours_minutes", { h: Math.floor(m / 60), m: m % 60 });
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
    var parts = [row.ente_name, c.comune || t("js.comune_unknown"), channelName(c.channel)];
    if (row.handoff.urgent) {
      parts.unshift(t("js.urgent", { risk: RISK_LABEL[row.handoff.risk] || t("js.at_risk") }));
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
        "#" + row.position + " · " + describe(row, t("js.waiting", { time: minutes(row.waiting_seconds + elapsed) })),
        row.conversation.id));
      queue.appendChild(li);
    });
    if (!lists.queued.length) { queue.appendChild(el("li", t("js.nobody_queued"), "none")); }
    $("queue-count").textContent = "(" + lists.queued.length + ")";
    var assigned = $("assigned");
    assigned.textContent = "";
    lists.assigned.forEach(function (row) {
      var who = row.mine ? t("js.with_you") : t("js.with_operator", { name: row.handoff.operator_name || "?" });
      var li = rowItem(row);
      li.appendChild(itemButton(describe(row, who), row.conversation.id));
      assigned.appendChild(li);
    });
    if (!lists.assigned.length) { assigned.appendChild(el("li", t("js.nothing_assigned"), "none")); }
    var offline = $("offline");
    offline.textContent = "";
    lists.offline.forEach(function (row) {
      var li = rowItem(row);
      li.appendChild(itemButton(describe(row, STATUS_LABEL[row.handoff.status] || row.handoff.status), row.conversation.id));
      offline.appendChild(li);
    });
    if (!lists.offline.length) { offline.appendChild(el("li", t("js.none"), "none")); }
  }

  function loadLists() {
    return api("GET", "/queue").then(function (data) {
      state.lists = data;
      state.loadedAt = Date.now();
      renderLists();
    }).catch(function (err) { feedback(t("js.error_queue", { error: err.message })); });
  }

  function loadContacts() {
    return api("GET", "/contacts").then(function (data) {
      var list = $("contacts");
      list.textContent = "";
      data.contacts.forEach(function (c) {
        var li = el("li", null, "contact");
        li.appendChild(el("span", timeOf(c.time) + " · " + (state.enti[c.ente_gestore_id] || c.ente_gestore_id || "") + ": "));
        li.appendChild(el("span", c.contact, "contact-text"));
        var done = el("button", t("js.called_back"), "secondary small");
        done.type = "button";
        done.setAttribute("aria-label", t("js.called_back_label", { contact: c.contact }));
        done.addEventListener("click", function () {
          api("POST", "/contacts/" + c.id + "/handled").then(loadContacts)
            .catch(function (err) { feedback(err.message); });
        });
        li.appendChild(done);
        var open = itemButton(t("js.open_conversation"), c.conversation_id);
        open.className = "link";
        li.appendChild(open);
        list.appendChild(li);
      });
      if (!data.contacts.length) { list.appendChild(el("li", t("js.no_contacts"), "none")); }
    }).catch(function () {});
  }

  function loadBotConversations() {
    return api("GET", "/bot-conversations").then(function (data) {
      var list = $("botconvs");
      list.textContent = "";
      data.conversations.slice(0, 15).forEach(function (c) {
        var li = el("li");
        var label = [state.enti[c.ente_gestore_id] || t("js.ente_unknown"), c.comune || t("js.comune_unknown"),
          channelName(c.channel), t("js.last_message", { time: timeOf(c.updated_at) })].join(" · ");
        li.appendChild(itemButton(label, c.id));
        list.appendChild(li);
      });
      if (!data.conversations.length) { list.appendChild(el("li", t("js.none"), "none")); }
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
    var who = kind === "operator" ? t("js.operator_named", { name: m.sender_name || KIND_LABEL.operator }) : KIND_LABEL[kind] || kind;
    var meta = who + " · " + timeOf(m.time);
    if (m.direction === "out" && m.status === "failed") { meta += " · " + t("js.not_delivered"); }
    li.appendChild(el("span", meta, "meta"));
    if (m.text) { li.appendChild(el("p", m.text, "text")); }
    if (m.custom) { li.appendChild(el("p", m.custom, "custom")); }
    if (m.buttons && m.buttons.length) { li.appendChild(el("p", t("js.buttons", { titles: m.buttons.join(" | ") }), "buttons")); }
    if (kind === "citizen" && m.event === "text" && m.text && m.text.charAt(0) !== "/") {
      var flag = el("button", t("js.flag_nlu"), "link flag");
      flag.type = "button";
      flag.addEventListener("click", function () { flagMessage(m.id, flag); });
      li.appendChild(flag);
    }
    return li;
  }

  /** Send a citizen message the bot misunderstood to the admins' NLU inbox. */
  function flagMessage(messageId, button) {
    if (state.current === null) { return; }
    api("POST", "/conversations/" + state.current + "/messages/" + messageId + "/flag", {}).then(function () {
      button.disabled = true;
      button.textContent = t("js.flagged_nlu");
      feedback(t("js.flagged_nlu"));
    }, function (err) { feedback(t("js.flag_failed", { error: err.message })); });
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
    $("conv-title").textContent = t("js.conversation_title", { id: c.id, channel: channelName(c.channel) });
    var dl = $("conv-info");
    dl.textContent = "";
    info(dl, t("js.info_ente"), d.ente_name);
    info(dl, t("js.info_comune"), c.comune);
    info(dl, t("js.info_need"), d.need && (NEED_LABEL[d.need] || d.need));
    info(dl, t("js.info_status"), c.mode === "bot" ? t("js.with_the_bot") : (h ? STATUS_LABEL[h.status] || h.status : ""));
    info(dl, t("js.info_operator"), h && h.operator_name);
    info(dl, t("js.info_reason"), h && (REASON_LABEL[h.reason] || h.reason));
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
    var active = h && ["queued", "assigned", "offline", "awaiting_contact"].indexOf(h.status) >= 0 && c.mode !== "bot";
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
    }).catch(function (err) { feedback(t("js.error_open", { error: err.message })); });
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
      feedback(err.status === 409 ? t("js.conflict") : t("js.error", { error: err.message }));
      reloadCurrent();
      loadLists();
    });
  }

  $("btn-claim").addEventListener("click", function () { act("/claim", undefined, t("js.claimed")); });
  $("btn-takeover").addEventListener("click", function () { act("/takeover", undefined, t("js.taken_over")); });
  $("btn-handback").addEventListener("click", function () { act("/handback", undefined, t("js.handed_back")); });
  $("btn-close").addEventListener("click", function () { act("/close", undefined, t("js.closed")); });

  $("composer").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var box = $("reply");
    var text = box.value.trim();
    if (!text || state.current === null) { return; }
    api("POST", "/conversations/" + state.current + "/messages", { text: text }).then(function (data) {
      box.value = "";
      appendMessage(data.message);
      feedback(t("js.sent"));
    }).catch(function (err) { feedback(t("js.not_sent", { error: err.message })); });
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
      feedback(t("js.note_saved"));
      reloadCurrent();
    }).catch(function (err) { feedback(t("js.note_not_saved", { error: err.message })); });
  });

  $("transfer").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var value = $("transfer-target").value;
    var body = value.indexOf("ente:") === 0 ? { ente_gestore_id: value.slice(5) } : { operator_id: Number(value.slice(3)) };
    act("/transfer", body, t("js.transferred"));
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
        $("live").textContent = t("js.live_on");
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
      $("live").textContent = t("js.reconnecting");
      $("live").setAttribute("data-state", "off");
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }
  connect();
})();

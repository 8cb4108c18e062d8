/*
 * WeCare chat widget: embed it in any page with one tag.
 *
 *   <script src="https://GATEWAY/static/widget.js" defer
 *           data-title="Assistente CISS 38" data-consortium="ciss38"
 *           data-color="#0b5394" data-text-color="#ffffff"></script>
 *
 * Data attributes (all optional): data-title, data-consortium (ente gestore id),
 * data-color (header, buttons, citizen bubbles), data-text-color (text on data-color; replaced
 * by black or white when the pair is below WCAG AA 4.5:1), data-open="true" (start open),
 * data-gateway (gateway URL when the script is served from elsewhere), data-welcome (first line).
 *
 * Protocol (see bot/web/routes.py): WebSocket /ws/chat?session=&consortium=, history from
 * GET /api/chat/history?session=. The session id is kept in localStorage, so a reload shows
 * the conversation again. Every text coming from the citizen, the bot or an operator is put in
 * the page with textContent / createTextNode only, and links only accept http(s), tel and mailto.
 *
 * Every label comes from bot/texts/citizen.yml: the gateway serves this file with the texts in
 * place of the marker below (bot/web/routes.py), and t(key) reads them.
 */
(function () {
  "use strict";

  var script =
    document.currentScript || document.querySelector('script[src*="widget.js"]');
  if (!script || window.__wecareWidget) {
    return;
  }
  window.__wecareWidget = true;

  var TEXTS = /*@texts*/{};

  /** The citizen text `key` ("widget.send"), its {placeholders} filled from `values`. */
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

  var ds = script.dataset;
  var scriptUrl = new URL(script.src, window.location.href);
  // Base URL of the gateway, with a trailing slash so that a path prefix behind a reverse
  // proxy (https://example.org/chat/static/widget.js → https://example.org/chat/) is kept.
  var gateway = ds.gateway
    ? new URL(ds.gateway.replace(/\/?$/, "/"), window.location.href)
    : new URL("../", scriptUrl);
  var config = {
    title: ds.title || t("widget.title"),
    consortium: /^[a-z0-9_]{2,40}$/.test(ds.consortium || "") ? ds.consortium : "",
    color: ds.color || "",
    textColor: ds.textColor || "",
    open: ds.open === "true",
    welcome: ds.welcome || t("widget.welcome"),
  };

  var CATEGORY_LABELS = TEXTS.categories || {};
  var UNVERIFIED = t("cards.unverified");

  // -- helpers ---------------------------------------------------------------------------

  /** Create an element; `text` (string) becomes its textContent, never markup. */
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null && text !== "") {
      node.textContent = String(text);
    }
    return node;
  }

  /** Return `url` when it is an absolute http(s) URL, else "". */
  function webUrl(url) {
    try {
      var parsed = new URL(String(url || ""));
      return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : "";
    } catch (e) {
      return "";
    }
  }

  function link(href, text) {
    var a = el("a", "", text);
    a.setAttribute("href", href);
    if (/^https?:/.test(href)) {
      a.setAttribute("target", "_blank");
      a.setAttribute("rel", "noopener noreferrer");
    }
    return a;
  }

  function telLink(number, text) {
    var digits = String(number).replace(/[^0-9+]/g, "");
    return digits ? link("tel:" + digits, text || String(number)) : el("span", "", text || number);
  }

  function randomId(bytes) {
    var buf = new Uint8Array(bytes);
    window.crypto.getRandomValues(buf);
    var s = "";
    for (var i = 0; i < buf.length; i++) {
      s += "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"[buf[i] & 63];
    }
    return s;
  }

  function parseHex(color) {
    var m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(color || "").trim());
    if (!m) {
      return null;
    }
    var h = m[1].length === 3 ? m[1].replace(/(.)/g, "$1$1") : m[1];
    return [0, 2, 4].map(function (i) {
      return parseInt(h.substr(i, 2), 16);
    });
  }

  function luminance(rgb) {
    var c = rgb.map(function (v) {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }

  function contrast(a, b) {
    var la = luminance(a);
    var lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }

  /** Colours from the data attributes, corrected to keep WCAG AA contrast. */
  function themeColors() {
    var primary = parseHex(config.color);
    if (!primary) {
      return null;
    }
    var text = parseHex(config.textColor) || [255, 255, 255];
    if (contrast(primary, text) < 4.5) {
      var white = [255, 255, 255];
      var black = [17, 17, 17];
      text = contrast(primary, white) >= contrast(primary, black) ? white : black;
      if (window.console) {
        window.console.warn("WeCare widget: data-text-color replaced to keep 4.5:1 contrast");
      }
    }
    return { primary: config.color, onPrimary: "rgb(" + text.join(",") + ")" };
  }

  // -- session ---------------------------------------------------------------------------

  var storageKey = "wecare-chat-session:" + (config.consortium || "default");

  function loadSession() {
    var id = null;
    try {
      id = window.localStorage.getItem(storageKey);
    } catch (e) {
      id = null;
    }
    if (!id || !/^[A-Za-z0-9_-]{16,64}$/.test(id)) {
      id = randomId(32);
      try {
        window.localStorage.setItem(storageKey, id);
      } catch (e) {
        /* private mode: the session lasts as long as the page */
      }
    }
    return id;
  }

  var session = loadSession();

  // -- DOM -------------------------------------------------------------------------------

  var host = document.createElement("div");
  host.className = "wecare-widget";
  var shadow = host.attachShadow({ mode: "open" });
  var style = document.createElement("link");
  style.setAttribute("rel", "stylesheet");
  style.setAttribute("href", new URL("widget.css", scriptUrl).href);
  shadow.appendChild(style);
  var colors = themeColors();
  if (colors) {
    host.style.setProperty("--wcw-primary", colors.primary);
    host.style.setProperty("--wcw-on-primary", colors.onPrimary);
  }

  var root = el("div", "wcw-root");
  var panelId = "wcw-panel";
  var launcher = el("button", "wcw-launcher", config.title);
  launcher.type = "button";
  launcher.setAttribute("aria-controls", panelId);
  launcher.setAttribute("aria-expanded", "false");

  var panel = el("section", "wcw-panel");
  panel.id = panelId;
  panel.setAttribute("aria-labelledby", "wcw-title");
  panel.hidden = true;

  var header = el("div", "wcw-header");
  var title = el("h2", "wcw-title", config.title);
  title.id = "wcw-title";
  var resetButton = el("button", "wcw-icon-button", t("widget.new_chat"));
  resetButton.type = "button";
  resetButton.setAttribute("aria-label", t("widget.new_chat_label"));
  var closeButton = el("button", "wcw-icon-button", t("widget.close"));
  closeButton.type = "button";
  closeButton.setAttribute("aria-label", t("widget.close_label"));
  header.appendChild(title);
  header.appendChild(resetButton);
  header.appendChild(closeButton);

  var status = el("p", "wcw-status");
  status.setAttribute("role", "status");

  var logBox = el("div", "wcw-log");
  logBox.setAttribute("role", "log");
  logBox.setAttribute("aria-live", "polite");
  logBox.setAttribute("aria-relevant", "additions");
  logBox.setAttribute("aria-label", t("widget.log_label"));
  logBox.tabIndex = 0;

  var form = el("form", "wcw-form");
  form.setAttribute("autocomplete", "off");
  var label = el("label", "wcw-label", t("widget.input_label"));
  label.setAttribute("for", "wcw-input");
  var input = el("input", "wcw-input");
  input.id = "wcw-input";
  input.type = "text";
  input.maxLength = 2000;
  input.setAttribute("placeholder", t("widget.placeholder"));
  var send = el("button", "wcw-send", t("widget.send"));
  send.type = "submit";
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(send);

  panel.appendChild(header);
  panel.appendChild(status);
  panel.appendChild(logBox);
  panel.appendChild(form);
  root.appendChild(launcher);
  root.appendChild(panel);
  shadow.appendChild(root);

  // -- rendering -------------------------------------------------------------------------

  var seenIds = {};
  var seenClientIds = {};
  // {clientId, frame, node, via}: ``via`` is the socket the frame went out on (null: not sent).
  // A frame is sent again only on a NEW connection, after the history showed it was not
  // received: re-sending on the connection it already went out on made the gateway answer
  // it twice (a message sent between "ready" and the end of the history load).
  var pending = [];

  function scrollToEnd() {
    logBox.scrollTop = logBox.scrollHeight;
  }

  function removeQuickReplies() {
    var groups = logBox.querySelectorAll(".wcw-replies");
    for (var i = 0; i < groups.length; i++) {
      groups[i].remove();
    }
  }

  function bubble(item) {
    var kind = item.sender_kind || "bot";
    var cls = "wcw-msg " + (item.direction === "in" ? "wcw-msg-in" : "wcw-msg-out");
    if (kind === "system") {
      cls += " wcw-msg-system";
    } else if (kind === "operator") {
      cls += " wcw-msg-operator";
    }
    var node = el("div", cls);
    if (kind === "operator") {
      var who = item.sender_name
        ? t("widget.operator_named", { name: item.sender_name })
        : t("widget.operator");
      node.appendChild(el("span", "wcw-sender", who));
    }
    node.appendChild(document.createTextNode(String(item.text || "")));
    return node;
  }

  var CONTACT_LABELS = {
    address: t("widget.contact_address"),
    phone: t("widget.contact_phone"),
    fax: t("widget.contact_fax"),
    email: t("widget.contact_email"),
    pec: t("widget.contact_pec"),
    website: t("widget.contact_website"),
  };

  function isEmail(value) {
    return /^[^\s@]+@[^\s@]+$/.test(String(value || ""));
  }

  /** The value of a contact as a node: tel:/mailto:/web link when it is one, else text. */
  function contactValue(kind, value) {
    if (kind === "phone") {
      return telLink(value);
    }
    if ((kind === "email" || kind === "pec") && isEmail(value)) {
      return link("mailto:" + value, value);
    }
    var site = kind === "website" ? webUrl(value) : "";
    return site ? link(site, value) : el("span", "", value);
  }

  /** Flat contacts ({address, phone, fax, email, pec, website}), shown as certain. */
  function contactLines(container, contacts) {
    if (!contacts || typeof contacts !== "object") {
      return;
    }
    if (contacts.address) {
      container.appendChild(el("p", "wcw-meta", CONTACT_LABELS.address + ": " + contacts.address));
    }
    if (contacts.phone) {
      var p = el("p", "wcw-meta", CONTACT_LABELS.phone + ": ");
      p.appendChild(telLink(contacts.phone));
      container.appendChild(p);
    }
    if (contacts.fax) {
      container.appendChild(el("p", "wcw-meta", CONTACT_LABELS.fax + ": " + contacts.fax));
    }
    ["email", "pec"].forEach(function (kind) {
      if (isEmail(contacts[kind])) {
        var m = el("p", "wcw-meta", CONTACT_LABELS[kind] + ": ");
        m.appendChild(link("mailto:" + contacts[kind], contacts[kind]));
        container.appendChild(m);
      }
    });
    var site = webUrl(contacts.website);
    if (site) {
      var w = el("p", "wcw-meta");
      w.appendChild(link(site, t("widget.website")));
      container.appendChild(w);
    }
  }

  /** Contacts read in a source, with their label; unverified ones say "da verificare". */
  function contactPointLines(container, points) {
    points.forEach(function (point) {
      if (!point || typeof point !== "object" || !point.value) {
        return;
      }
      var verified = point.verified !== false;
      var label = point.label || CONTACT_LABELS[point.kind] || t("cards.contact_default");
      var line = el("p", verified ? "wcw-meta" : "wcw-meta wcw-caveat", label + ": ");
      line.appendChild(contactValue(point.kind, point.value));
      if (!verified) {
        line.appendChild(document.createTextNode(" (" + t("cards.to_verify") + ")"));
      }
      container.appendChild(line);
    });
  }

  function renderServices(custom) {
    var box = el("div", "wcw-card-list");
    var head = t("cards.services");
    if (CATEGORY_LABELS[custom.category]) {
      head += " – " + CATEGORY_LABELS[custom.category];
    }
    if (custom.comune) {
      head += " " + t("cards.services_in", { comune: custom.comune });
    }
    box.appendChild(el("p", "wcw-card-head", head));
    if (custom.ente_gestore && custom.ente_gestore.name) {
      box.appendChild(
        el("p", "wcw-meta", t("cards.ente_gestore", { name: custom.ente_gestore.name }))
      );
    }
    var services = Array.isArray(custom.services) ? custom.services : [];
    if (!services.length) {
      box.appendChild(el("p", "", t("cards.no_services")));
      return box;
    }
    var page = parseInt(custom.page, 10) || 1;
    var start = (page - 1) * services.length;
    services.forEach(function (svc, i) {
      if (!svc || typeof svc !== "object") {
        return;
      }
      var card = el("article", "wcw-card");
      card.appendChild(el("h3", "", start + i + 1 + ". " + (svc.name || "")));
      if (svc.provider && svc.provider.name) {
        card.appendChild(el("p", "wcw-provider", svc.provider.name));
      }
      if (svc.summary) {
        card.appendChild(el("p", "", svc.summary));
      }
      if (svc.how_to_apply) {
        card.appendChild(el("p", "", t("cards.how_to_apply") + ": " + svc.how_to_apply));
      }
      if (Array.isArray(svc.documents) && svc.documents.length) {
        card.appendChild(el("p", "", t("cards.documents") + ": " + svc.documents.join(", ")));
      }
      contactLines(card, svc.contacts);
      var provider = svc.provider && typeof svc.provider === "object" ? svc.provider : {};
      var own = svc.contacts && typeof svc.contacts === "object" ? svc.contacts : {};
      if (!Object.keys(own).length && provider.contacts && typeof provider.contacts === "object") {
        var who = provider.name || t("cards.provider_unknown");
        card.appendChild(el("p", "wcw-meta", t("cards.provider_contacts", { who: who })));
        contactLines(card, provider.contacts);
      }
      var url = webUrl(svc.url);
      if (url) {
        var p = el("p");
        var name = svc.name || t("widget.the_service");
        p.appendChild(link(url, t("widget.more_info_on", { name: name })));
        card.appendChild(p);
      }
      if (!svc.verified) {
        card.appendChild(el("p", "wcw-caveat", UNVERIFIED));
      }
      box.appendChild(card);
    });
    if (typeof custom.total === "number" && custom.total > services.length) {
      var last = start + services.length;
      var counts = { first: start + 1, last: last, total: custom.total };
      box.appendChild(el("p", "wcw-meta", t("cards.results", counts)));
    }
    return box;
  }

  function renderEmergency(custom, live) {
    var box = el("section", "wcw-emergency");
    if (live) {
      box.setAttribute("role", "alert");
    }
    var title =
      custom.kind === "self_harm" ? t("emergency.title_self_harm") : t("emergency.title_violence");
    box.appendChild(el("h3", "", title));
    var list = el("ul");
    (Array.isArray(custom.numbers) ? custom.numbers : []).forEach(function (n) {
      if (!n || !n.number) {
        return;
      }
      var li = el("li");
      li.appendChild(telLink(n.number, t("widget.call", { number: n.number })));
      if (n.label) {
        li.appendChild(document.createTextNode(" – " + n.label));
      }
      if (n.to_verify) {
        li.appendChild(el("em", "wcw-verify", " (" + t("emergency.to_verify") + ")"));
      }
      list.appendChild(li);
    });
    box.appendChild(list);
    return box;
  }

  function renderOffice(custom) {
    var ente =
      custom.ente_gestore && typeof custom.ente_gestore === "object" ? custom.ente_gestore : {};
    var box = el("div", "wcw-card-list");
    var card = el("article", "wcw-card");
    card.appendChild(el("h3", "", ente.name || t("cards.office")));
    if (Array.isArray(ente.contact_points) && ente.contact_points.length) {
      contactPointLines(card, ente.contact_points);
    } else {
      contactLines(card, ente);
    }
    box.appendChild(card);
    (Array.isArray(custom.offices) ? custom.offices : []).forEach(function (office) {
      if (!office || typeof office !== "object") {
        return;
      }
      var c = el("article", "wcw-card");
      c.appendChild(el("h4", "", office.name || t("cards.office_seat")));
      var where = [office.address, office.comune].filter(Boolean).join(", ");
      if (where) {
        c.appendChild(el("p", "", where));
      }
      if (office.hours) {
        c.appendChild(el("p", "", t("cards.office_hours") + ": " + office.hours));
      }
      if (office.notes) {
        c.appendChild(el("p", "wcw-meta", office.notes));
      }
      contactLines(c, office);
      box.appendChild(c);
    });
    if (ente.verified === false) {
      box.appendChild(el("p", "wcw-caveat", UNVERIFIED));
    }
    return box;
  }

  function renderOpportunities(custom) {
    var box = el("div", "wcw-card-list");
    var items = Array.isArray(custom.items) ? custom.items : [];
    box.appendChild(
      el(
        "p",
        "wcw-card-head",
        items.length ? t("cards.opportunities") : t("cards.no_opportunities")
      )
    );
    items.forEach(function (item) {
      if (!item || typeof item !== "object") {
        return;
      }
      var card = el("article", "wcw-card");
      card.appendChild(el("h3", "", item.title || item.name || ""));
      if (item.summary) {
        card.appendChild(el("p", "", item.summary));
      }
      if (item.valid_to) {
        card.appendChild(el("p", "wcw-meta", t("cards.deadline") + ": " + item.valid_to));
      }
      var url = webUrl(item.url);
      if (url) {
        var p = el("p");
        var what = item.title || t("widget.the_opportunity");
        p.appendChild(link(url, t("widget.details_on", { title: what })));
        card.appendChild(p);
      }
      box.appendChild(card);
    });
    return box;
  }

  function renderCustom(custom, live) {
    switch (custom.type) {
      case "services":
        return renderServices(custom);
      case "emergency":
        return renderEmergency(custom, live);
      case "office":
        return renderOffice(custom);
      case "opportunities":
        return renderOpportunities(custom);
      case "handoff":
        return bubble({ sender_kind: "system", text: t("cards.handoff") });
      case "data_deletion":
        return bubble({ sender_kind: "system", text: t("cards.data_deletion") });
      default:
        return null;
    }
  }

  function renderQuickReplies(buttons) {
    var group = el("div", "wcw-replies");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", t("widget.quick_replies"));
    buttons.forEach(function (b) {
      if (!b || !b.title || !b.payload) {
        return;
      }
      var button = el("button", "wcw-reply", b.title);
      button.type = "button";
      button.addEventListener("click", function () {
        sendMessage({ payload: String(b.payload), title: String(b.title) }, String(b.title));
        input.focus();
      });
      group.appendChild(button);
    });
    return group;
  }

  /** Render one message of the protocol (history or live); ignores ones already shown. */
  function renderItem(item, live) {
    if (!item || typeof item !== "object") {
      return;
    }
    if (item.id) {
      if (seenIds[item.id]) {
        return;
      }
      seenIds[item.id] = true;
    }
    if (item.direction === "in") {
      removeQuickReplies();
      if (item.client_id && seenClientIds[item.client_id]) {
        confirmPending(item.client_id);
        return;
      }
      if (item.text) {
        logBox.appendChild(bubble(item));
      }
      return;
    }
    if (item.text) {
      logBox.appendChild(bubble(item));
    }
    if (item.custom && typeof item.custom === "object") {
      var node = renderCustom(item.custom, live);
      if (node) {
        logBox.appendChild(node);
      }
    }
    var image = webUrl(item.image);
    if (image) {
      var img = el("img");
      img.setAttribute("src", image);
      img.setAttribute("alt", t("widget.image_alt"));
      img.style.maxWidth = "100%";
      logBox.appendChild(img);
    }
    if (Array.isArray(item.buttons) && item.buttons.length) {
      logBox.appendChild(renderQuickReplies(item.buttons));
    }
  }

  function renderItems(items, live) {
    (items || []).forEach(function (item) {
      renderItem(item, live);
    });
    scrollToEnd();
  }

  // -- connection ------------------------------------------------------------------------

  var socket = null;
  var resetting = false;
  var ready = false;
  var retryDelay = 1000;
  var retryTimer = null;

  function wsUrl() {
    var u = new URL("ws/chat", gateway);
    u.protocol = gateway.protocol === "https:" ? "wss:" : "ws:";
    u.searchParams.set("session", session);
    if (config.consortium) {
      u.searchParams.set("consortium", config.consortium);
    }
    return u.href;
  }

  function setStatus(text) {
    status.textContent = text;
  }

  function loadHistory() {
    var u = new URL("api/chat/history", gateway);
    u.searchParams.set("session", session);
    return window
      .fetch(u.href, { credentials: "omit" })
      .then(function (r) {
        return r.ok ? r.json() : { messages: [] };
      })
      .then(function (data) {
        renderItems(data.messages, false);
      })
      .catch(function () {
        /* offline: the WebSocket reconnection will try again */
      });
  }

  function confirmPending(clientId) {
    for (var i = 0; i < pending.length; i++) {
      if (pending[i].clientId === clientId) {
        pending[i].node.classList.remove("wcw-pending");
        pending.splice(i, 1);
        return;
      }
    }
  }

  function flushPending() {
    pending.forEach(function (p) {
      if (ready && socket && p.via !== socket) {
        socket.send(JSON.stringify(p.frame));
        p.via = socket;
      }
    });
  }

  function connect() {
    retryTimer = null;
    try {
      socket = new WebSocket(wsUrl());
    } catch (e) {
      scheduleReconnect();
      return;
    }
    socket.addEventListener("message", function (event) {
      var data;
      try {
        data = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (data.type === "ready") {
        ready = true;
        retryDelay = 1000;
        setStatus("");
        // Replies logged while we were away come from the history; unsent messages go now.
        loadHistory().then(flushPending);
      } else if (data.type === "messages") {
        if (data.client_id) {
          confirmPending(data.client_id);
        }
        renderItems(data.items, true);
        if (panel.hidden && data.items && data.items.length) {
          launcher.textContent = t("widget.new_message", { title: config.title });
        }
      } else if (data.type === "error") {
        if (data.client_id) {
          confirmPending(data.client_id);
        }
      }
    });
    socket.addEventListener("close", function () {
      var wasReady = ready;
      ready = false;
      socket = null;
      if (resetting) {
        resetting = false;
        connect();
        return;
      }
      if (wasReady || !status.textContent) {
        setStatus(t("widget.connection_lost"));
      }
      scheduleReconnect();
    });
  }

  function scheduleReconnect() {
    if (retryTimer) {
      return;
    }
    var delay = retryDelay + Math.floor(Math.random() * 300);
    retryDelay = Math.min(retryDelay * 2, 10000);
    retryTimer = window.setTimeout(connect, delay);
  }

  function sendMessage(fields, shownText) {
    var clientId = randomId(12);
    var frame = { type: "message", client_id: clientId };
    Object.keys(fields).forEach(function (k) {
      frame[k] = fields[k];
    });
    seenClientIds[clientId] = true;
    removeQuickReplies();
    var node = bubble({ direction: "in", sender_kind: "citizen", text: shownText });
    node.classList.add("wcw-pending");
    logBox.appendChild(node);
    scrollToEnd();
    var entry = { clientId: clientId, frame: frame, node: node, via: null };
    pending.push(entry);
    if (ready && socket) {
      socket.send(JSON.stringify(frame));
      entry.via = socket;
    } else {
      setStatus(t("widget.offline_queued"));
    }
  }

  // -- interaction -----------------------------------------------------------------------

  function openPanel(focusInput) {
    panel.hidden = false;
    launcher.textContent = config.title;
    launcher.setAttribute("aria-expanded", "true");
    scrollToEnd();
    if (focusInput) {
      input.focus();
    }
  }

  function closePanel() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  launcher.addEventListener("click", function () {
    if (panel.hidden) {
      openPanel(true);
    } else {
      closePanel();
    }
  });
  closeButton.addEventListener("click", closePanel);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      closePanel();
    }
  });
  resetButton.addEventListener("click", function () {
    if (!window.confirm(t("widget.new_chat_confirm"))) {
      return;
    }
    try {
      window.localStorage.removeItem(storageKey);
    } catch (e) {
      /* ignore */
    }
    session = loadSession();
    seenIds = {};
    seenClientIds = {};
    pending = [];
    while (logBox.firstChild) {
      logBox.removeChild(logBox.firstChild);
    }
    logBox.appendChild(bubble({ sender_kind: "bot", text: config.welcome }));
    if (socket) {
      resetting = true;
      socket.close(); // reconnects at once with the new session
    }
    input.focus();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) {
      return;
    }
    input.value = "";
    sendMessage({ text: text }, text);
  });

  logBox.appendChild(bubble({ sender_kind: "bot", text: config.welcome }));
  document.body.appendChild(host);
  if (config.open) {
    openPanel(false);
  }
  connect();
})();

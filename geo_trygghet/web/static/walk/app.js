/* The participants' phone form: join a walk, log remarks with or without a connection.
 *
 * The walk code comes from the link (?kod=), the QR code or the code box, and is kept on the
 * phone. The open form is a draft kept in IndexedDB (a reload or a closed browser loses
 * nothing), with a UUID made when the form opened. Skicka puts the remark into the outbox
 * (outbox.js), which sends it when it can. User text is only ever set as text.
 */
(function () {
  "use strict";
  const GT = window.GT;
  const API = new URL("../api/v1/", location.href).href;
  const $ = function (id) { return document.getElementById(id); };
  const state = {
    lang: localStorage.getItem("gt.lang") === "en" ? "en" : "sv",
    texts: null, code: null, walk: null, remarks: [], remarksAt: null, remarksFresh: false,
    draft: null, lastQueuedAt: 0, busy: false, persisted: false,
  };

  /* ------------------------------------------------------------------ texts */
  function T(key, fields) {
    const texts = state.texts || {};
    const template = (texts[state.lang] || {})[key] || (texts.sv || {})[key] || key;
    return template.replace(/\{(\w+)(?::\.(\d)f)?\}/g, function (all, name, digits) {
      if (!fields || !(name in fields)) return all;
      const value = fields[name];
      return digits ? Number(value).toFixed(Number(digits)) : String(value);
    });
  }

  /* A category label may break after its slash ("Gångtunnel/passage" in a narrow button). */
  function label(key, fields) {
    const value = T(key, fields);
    return key.indexOf("category.") === 0 ? value.replace(/\//g, "/\u200b") : value;
  }

  function applyTexts() {
    document.documentElement.lang = state.lang;
    document.querySelectorAll("[data-t]").forEach(function (el) { el.textContent = label(el.dataset.t); });
    document.querySelectorAll("[data-t-placeholder]").forEach(function (el) { el.placeholder = T(el.dataset.tPlaceholder); });
    document.querySelectorAll("[data-t-aria-label]").forEach(function (el) { el.setAttribute("aria-label", T(el.dataset.tAriaLabel)); });
    document.querySelectorAll("[data-t-alt]").forEach(function (el) { el.alt = T(el.dataset.tAlt); });
    $("lang").lang = state.lang === "sv" ? "en" : "sv";
  }

  function setText(id, value, kind) {
    const el = $(id);
    el.textContent = value || "";
    if (kind !== undefined) el.classList.toggle("error", kind === "error");
  }

  /* ------------------------------------------------------------------ the network */
  function getJSON(path, timeoutMs) {
    const controller = new AbortController();
    const timer = setTimeout(function () { controller.abort(); }, timeoutMs || 8000);
    return fetch(API + path, { signal: controller.signal, headers: { "Accept-Language": state.lang } })
      .finally(function () { clearTimeout(timer); })
      .then(function (response) {
        return response.json().then(function (body) { return { status: response.status, body: body }; },
                                    function () { return { status: response.status, body: null }; });
      });
  }

  function renderNet() {
    const online = navigator.onLine;
    setText("net", online ? T("web.online") : T("web.offline"));
    $("net").classList.toggle("offline", !online);
  }

  /* ------------------------------------------------------------------ joining */
  function normalise(code) { return String(code || "").replace(/[\s-]/g, "").toUpperCase(); }

  function showJoin(error) {
    $("walk").hidden = true;
    $("join").hidden = false;
    setText("join-error", error || "");
    setText("walk-title", T("web.title"));
    setText("walk-meta", "");
  }

  function openWalk(code) {
    state.code = code;
    localStorage.setItem("gt.code", code);
    history.replaceState(null, "", location.pathname + "?kod=" + encodeURIComponent(code));
    $("join").hidden = true;
    $("walk").hidden = false;
    state.walk = null;
    state.remarks = [];
    return Promise.all([
      GT.db.get("cache", "walk:" + code).then(function (c) { if (c && !state.walk) state.walk = c.walk; }),
      GT.db.get("cache", "remarks:" + code).then(function (c) {
        if (c && !state.remarksFresh) { state.remarks = c.remarks; state.remarksAt = c.at; }
      }),
      loadDraft(code),
    ]).then(function () {
      renderAll();
      ensureMap();
      fetchWalk(code); // the form is usable meanwhile (offline: from what the phone kept)
      refreshRemarks();
    });
  }

  function fetchWalk(code) {
    if (!state.walk) setText("walk-status", T("web.loading"));
    return getJSON("walks/" + encodeURIComponent(code)).then(function (r) {
      if (r.status === 200) {
        state.walk = r.body;
        GT.db.put("cache", { key: "walk:" + code, walk: r.body });
      } else if (r.status === 404) {
        return GT.outbox.items(code).then(function (items) {
          if (!items.length && !state.walk) {
            localStorage.removeItem("gt.code");
            showJoin(r.body && r.body.error);
          } else {
            state.walk = null;
            setText("walk-status", T("web.lost_code", { code: code }));
          }
        });
      }
      renderWalk();
      return undefined;
    }, function () {
      renderWalk(); // offline: the cached walk, or only the code
    });
  }

  function refreshRemarks() {
    if (!state.code) return Promise.resolve();
    const code = state.code;
    return getJSON("walks/" + encodeURIComponent(code) + "/remarks", 5000).then(function (r) {
      if (r.status !== 200 || code !== state.code) return;
      state.remarks = r.body;
      state.remarksAt = Date.now();
      state.remarksFresh = true;
      GT.db.put("cache", { key: "remarks:" + code, remarks: r.body, at: state.remarksAt });
      renderRemarks();
    }, function () {
      state.remarksFresh = false;
      renderRemarks();
    });
  }

  /* ------------------------------------------------------------------ the draft */
  function emptyDraft(code) {
    return { key: code, id: GT.newId(), category: null, text: "", feeling: null, factors: {},
             gps: null, tap: null, photo: null, photoGps: null };
  }

  function loadDraft(code) {
    return GT.db.get("drafts", code).then(function (d) {
      state.draft = d || emptyDraft(code);
      fillForm();
    });
  }

  let saveTimer = null;
  function saveDraft() {
    clearTimeout(saveTimer);
    const draft = state.draft;
    saveTimer = setTimeout(function () { GT.db.put("drafts", draft); }, 250);
  }

  function fillForm() {
    const d = state.draft;
    document.querySelectorAll("input[name=category]").forEach(function (el) { el.checked = el.value === d.category; });
    document.querySelectorAll("input[name=feeling]").forEach(function (el) { el.checked = Number(el.value) === d.feeling; });
    document.querySelectorAll("select[data-factor]").forEach(function (el) {
      const v = d.factors[el.dataset.factor];
      el.value = v === undefined || v === null ? "" : String(v);
    });
    $("text").value = d.text || "";
    renderPhoto();
    renderPosition();
  }

  function position() {
    const d = state.draft;
    if (d.tap) return { lat: d.tap.lat, lon: d.tap.lon, accuracy: null, source: "map" };
    if (d.gps) return { lat: d.gps.lat, lon: d.gps.lon, accuracy: d.gps.accuracy, source: "gps" };
    if (d.photoGps) return { lat: d.photoGps.lat, lon: d.photoGps.lon, accuracy: null, source: "exif" };
    return null;
  }

  function pristine() {
    const d = state.draft;
    return !d.category && !(d.text || "").trim() && !d.photo;
  }

  /* ------------------------------------------------------------------ position */
  let geoError = null, locating = false;
  function locate() {
    if (!navigator.geolocation) { geoError = window.isSecureContext ? "geo.unsupported" : "geo.insecure"; renderPosition(); return; }
    if (!window.isSecureContext) { geoError = "geo.insecure"; renderPosition(); return; }
    locating = true;
    geoError = null;
    renderPosition();
    const draftId = state.draft && state.draft.id;
    navigator.geolocation.getCurrentPosition(function (p) {
      locating = false;
      if (!state.draft || state.draft.id !== draftId) return;
      state.draft.gps = { lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy };
      saveDraft();
      renderPosition();
    }, function (err) {
      locating = false;
      geoError = err.code === 1 ? "geo.denied" : err.code === 3 ? "geo.timeout" : "geo.unavailable";
      renderPosition();
    }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 15000 });
  }

  function renderPosition() {
    if (!state.draft) return;
    const p = position(), d = state.draft;
    let message;
    if (p && p.source === "map") message = T("wk.tapped", { lat: p.lat, lon: p.lon }) + (d.gps ? T("wk.tap_wins") : "");
    else if (p && p.source === "gps") message = T("geo.found", { accuracy: Math.round(p.accuracy) });
    else if (p) message = T("web.photo_gps", { lat: p.lat, lon: p.lon });
    else if (locating) message = T("geo.searching");
    else message = geoError ? T(geoError) : T("web.position_none");
    setText("position-status", message);
    $("map-hint").hidden = !!(p && p.source === "gps");
    GT.walkmap.choose(p ? p.lat : null, p ? p.lon : null, p ? p.accuracy : null);
  }

  function ensureMap() {
    if ($("walk").hidden || !GT.walkmap.init($("map"), onTap)) return;
    renderMap();
  }

  function onTap(lat, lon) {
    if (!state.draft) return;
    state.draft.tap = { lat: lat, lon: lon };
    saveDraft();
    renderPosition();
  }

  /* ------------------------------------------------------------------ photo */
  function onPhoto() {
    const file = $("photo").files && $("photo").files[0];
    $("photo").value = "";
    if (!file) return;
    setText("photo-status", T("web.photo_preparing"), "");
    GT.photo.prepare(file).then(function (result) {
      state.draft.photo = result.blob;
      state.draft.photoGps = result.gps;
      saveDraft();
      renderPhoto();
      renderPosition();
    }, function (err) {
      setText("photo-status", T(err && err.message === "heic" ? "err.photo_heic" : "err.photo"), "error");
    });
  }

  let previewUrl = null;
  function renderPhoto() {
    const blob = state.draft && state.draft.photo;
    if (previewUrl) { URL.revokeObjectURL(previewUrl); previewUrl = null; }
    $("photo-preview").hidden = !blob;
    $("photo-remove").hidden = !blob;
    if (blob) {
      previewUrl = URL.createObjectURL(blob);
      $("photo-preview").src = previewUrl;
      setText("photo-status", T("web.photo_ready", { kb: Math.round(blob.size / 1024) }), "");
    } else if (!$("photo-status").classList.contains("error")) {
      setText("photo-status", "");
    }
  }

  /* ------------------------------------------------------------------ sending */
  function distanceM(a, b) {
    const r = 6371008.8, rad = Math.PI / 180;
    const dLat = (b.lat - a.lat) * rad, dLon = (b.lon - a.lon) * rad;
    const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
    return 2 * r * Math.asin(Math.min(1, Math.sqrt(h)));
  }

  function duplicates(p) {
    const radius = (state.walk && state.walk.duplicate_radius_m) || 25;
    return state.remarks.filter(function (r) { return r.open && r.category === state.draft.category; })
      .map(function (r) { return { remark: r, d: distanceM(p, r) }; })
      .filter(function (x) { return x.d <= radius; })
      .sort(function (a, b) { return a.d - b.d; });
  }

  function showDupes(found) {
    const list = $("dupe-list");
    list.replaceChildren();
    found.forEach(function (x) {
      const li = document.createElement("li");
      const head = document.createElement("strong");
      head.textContent = T("wk.dupe_row", { n: x.remark.number, d: Math.round(x.d) });
      li.append(head, " · " + T("category." + x.remark.category) + ": " + (x.remark.text || ""));
      list.append(li);
    });
    $("dupes").hidden = false;
    $("send-anyway").focus();
  }

  function onSubmit(event, confirmed) {
    if (event) event.preventDefault();
    if (state.busy || !state.draft) return;
    if (pristine() && Date.now() - state.lastQueuedAt < 4000) return; // a double tap after a send
    setText("form-error", "");
    const p = position();
    if (!state.draft.category) { setText("form-error", T("err.category")); return; }
    if (!p) { setText("form-error", T("err.no_position")); return; }
    if (confirmed || !navigator.onLine) { queue(p); return; }
    state.busy = true;
    refreshRemarks().then(function () {
      state.busy = false;
      const found = state.remarksFresh ? duplicates(p) : [];
      if (found.length) showDupes(found); else queue(p);
    });
  }

  function queue(p) {
    const d = state.draft;
    const factors = {};
    Object.keys(d.factors).forEach(function (k) { if (d.factors[k] !== null) factors[k] = d.factors[k]; });
    const body = {
      id: d.id, lat: p.lat, lon: p.lon, accuracy_m: p.accuracy === null ? null : Math.round(p.accuracy * 10) / 10,
      category: d.category, text: (d.text || "").trim(), created_at: new Date().toISOString(),
      position_source: p.source,
    };
    if (d.feeling) body.feeling = d.feeling;
    if (Object.keys(factors).length) body.factors = factors;
    state.busy = true;
    $("dupes").hidden = true;
    GT.outbox.add({ id: d.id, code: state.code, body: body, photo: d.photo || null, title: titleOf(body) })
      .then(function () {
        if (!state.persisted && navigator.storage && navigator.storage.persist) {
          state.persisted = true;
          navigator.storage.persist();
        }
        state.lastQueuedAt = Date.now();
        state.draft = emptyDraft(state.code);
        return GT.db.put("drafts", state.draft);
      })
      .then(function () {
        state.busy = false;
        setText("photo-status", "", "");
        fillForm();
        setText("form-done", T("web.queued"));
        renderOutbox();
        GT.sender.flush();
        locate(); // a fresh position for the next remark
      }, function () {
        state.busy = false;
        setText("form-error", T("err.network"));
      });
  }

  function titleOf(body) {
    const text = body.text.length > 60 ? body.text.slice(0, 57) + "…" : body.text;
    return body.category + "\u0000" + text;
  }

  /* ------------------------------------------------------------------ rendering */
  function renderWalk() {
    const w = state.walk;
    setText("walk-title", w ? w.title : T("web.title"));
    setText("walk-meta", [T("web.walk_code", { code: state.code || "" }), w && w.date].filter(Boolean).join(" · "));
    const closed = !!(w && !w.open);
    $("remark-form").hidden = closed;
    if (closed) setText("walk-status", T("wk.closed"));
    else if (w || navigator.onLine) setText("walk-status", w ? "" : $("walk-status").textContent);
    else setText("walk-status", T("web.offline_join"));
    renderMap();
  }

  function itemState(item) {
    if (GT.sender.isSending(item.id)) return ["sending", T("web.status_sending")];
    if (item.state === "failed") return ["failed", T("web.status_failed", { why: item.error })];
    if (item.state !== "sent") return ["saved", T("web.status_saved")];
    if (item.photoError) return ["failed", T("web.photo_failed", { n: item.number, why: item.photoError })];
    if (item.photo && !item.photoDone) return ["saved", T("web.photo_waiting", { n: item.number })];
    return ["sent", T("web.status_sent", { n: item.number })];
  }

  let ownItems = [];
  function renderOutbox() {
    if (!state.code) return Promise.resolve();
    return GT.outbox.items(state.code).then(function (items) {
      ownItems = items;
      const list = $("outbox-list");
      list.replaceChildren();
      items.slice().reverse().forEach(function (item) {
        const li = document.createElement("li");
        li.dataset.id = item.id;
        const parts = (item.title || "").split("\u0000");
        const what = document.createElement("span");
        what.textContent = T("category." + parts[0]) + (parts[1] ? ": " + parts[1] : "");
        const status = document.createElement("span");
        const s = itemState(item);
        status.className = "state";
        status.dataset.state = s[0];
        status.textContent = s[1];
        li.append(status, what);
        list.append(li);
      });
      const waiting = items.filter(GT.outbox.pending).length;
      setText("outbox-summary", waiting ? T("web.outbox_waiting", { n: waiting })
        : items.length ? T("web.outbox_done") : T("web.outbox_empty"));
      const last = items[items.length - 1];
      if (last && $("form-done").textContent) setText("form-done", itemState(last)[1]);
      renderRemarks();
    });
  }

  /* The walk's remarks as last fetched, and this phone's acknowledged ones the fetch has not seen yet. */
  function walkRemarks() {
    const known = new Set(state.remarks.map(function (r) { return r.number; }));
    const mine = ownItems.filter(function (i) { return i.number && !known.has(i.number); }).map(function (i) {
      return { number: i.number, lat: i.body.lat, lon: i.body.lon, category: i.body.category, state: "ny",
               open: true, text: i.body.text };
    });
    return state.remarks.concat(mine).sort(function (a, b) { return a.number - b.number; });
  }

  function renderRemarks() {
    const list = $("remark-list");
    list.replaceChildren();
    const remarks = walkRemarks();
    remarks.forEach(function (r) {
      const li = document.createElement("li");
      const head = document.createElement("span");
      head.className = "head";
      head.textContent = r.number + ". " + T("category." + r.category) + " · " + T("state." + r.state);
      const text = document.createElement("span");
      text.className = "text";
      text.textContent = r.text || "";
      li.append(head, text);
      list.append(li);
    });
    let status = remarks.length ? "" : T("wk.none");
    if (!state.remarksFresh && state.remarksAt) {
      const at = new Date(state.remarksAt).toLocaleTimeString(state.lang === "sv" ? "sv-SE" : "en-GB",
                                                                 { hour: "2-digit", minute: "2-digit" });
      status = T("web.cached", { time: at });
    }
    setText("list-status", status);
    renderMap();
  }

  function renderMap() {
    if (!GT.walkmap.ready()) return;
    const own = ownItems.filter(function (i) { return !i.number && i.state !== "failed"; })
      .map(function (i) { return { lat: i.body.lat, lon: i.body.lon, title: T("web.own_marker") }; });
    const remarks = walkRemarks().map(function (r) {
      return { number: r.number, lat: r.lat, lon: r.lon, open: r.open, title: r.number + ". " + T("category." + r.category) };
    });
    GT.walkmap.show(remarks, own, state.walk && state.walk.area);
  }

  function renderAll() {
    applyTexts();
    renderNet();
    if (!state.code) return;
    renderWalk();
    renderPosition();
    renderPhoto();
    renderRemarks();
    renderOutbox();
  }

  /* ------------------------------------------------------------------ wiring */
  function wire() {
    $("lang").addEventListener("click", function () {
      state.lang = state.lang === "sv" ? "en" : "sv";
      localStorage.setItem("gt.lang", state.lang);
      renderAll();
    });
    $("join-form").addEventListener("submit", function (e) {
      e.preventDefault();
      const code = normalise($("code").value);
      if (!code) { setText("join-error", T("join.unknown", { code: "–" })); return; }
      if (!navigator.onLine) { openWalk(code); return; }
      getJSON("walks/" + encodeURIComponent(code)).then(function (r) {
        if (r.status === 200) openWalk(code); else setText("join-error", (r.body && r.body.error) || T("err.network"));
      }, function () { openWalk(code); });
    });
    $("leave").addEventListener("click", function () {
      localStorage.removeItem("gt.code");
      state.code = null;
      history.replaceState(null, "", location.pathname);
      showJoin();
    });
    $("remark-form").addEventListener("submit", function (e) { onSubmit(e, false); });
    $("send-anyway").addEventListener("click", function () { onSubmit(null, true); });
    $("dupe-cancel").addEventListener("click", function () { $("dupes").hidden = true; });
    $("locate").addEventListener("click", function () { state.draft.tap = null; saveDraft(); locate(); });
    $("photo").addEventListener("change", onPhoto);
    $("photo-remove").addEventListener("click", function () {
      state.draft.photo = null;
      state.draft.photoGps = null;
      saveDraft();
      renderPhoto();
      renderPosition();
    });
    $("send-now").addEventListener("click", function () { GT.sender.flush(); });
    $("remark-form").addEventListener("change", function (e) {
      const el = e.target;
      if (!state.draft) return;
      if (el.name === "category") state.draft.category = el.value;
      else if (el.name === "feeling") state.draft.feeling = Number(el.value);
      else if (el.dataset && el.dataset.factor) state.draft.factors[el.dataset.factor] = el.value === "" ? null : Number(el.value);
      else return;
      $("dupes").hidden = true;
      setText("form-error", "");
      saveDraft();
    });
    $("text").addEventListener("input", function () { if (state.draft) { state.draft.text = $("text").value; saveDraft(); } });
    window.addEventListener("online", function () { renderNet(); refreshRemarks(); if (state.code) fetchWalk(state.code); });
    window.addEventListener("offline", renderNet);
    document.addEventListener("DOMContentLoaded", ensureMap);
    GT.sender.onChange(renderOutbox);
  }

  function start() {
    ["walk-title", "position-status"].forEach(function (id) { delete $(id).dataset.t; });
    wire();
    if ("serviceWorker" in navigator) navigator.serviceWorker.register("sw.js").catch(function () {});
    const fromLink = normalise(new URLSearchParams(location.search).get("kod"));
    const code = fromLink || normalise(localStorage.getItem("gt.code"));
    fetch("texts.json").then(function (r) { return r.json(); }).then(function (texts) {
      state.texts = texts;
    }, function () { state.texts = null; }).then(function () {
      renderAll();
      GT.sender.start({ api: API, lang: function () { return state.lang; }, onSent: refreshRemarks,
                        onClosed: function (c) { if (c === state.code) fetchWalk(c); } });
      const opened = code ? openWalk(code) : Promise.resolve(showJoin());
      return opened.then(function () { if (code) locate(); });
    }).finally(function () {
      document.body.dataset.readyMs = String(Math.round(performance.now())); // for the benchmarks
      document.body.dataset.ready = "1";
    });
  }

  start();
})();

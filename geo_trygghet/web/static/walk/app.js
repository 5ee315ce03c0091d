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
  GT.ui = { state: state, T: T, $: $, setText: setText }; // for lists.js

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
      GT.lists.renderRemarks();
    }, function () {
      state.remarksFresh = false;
      GT.lists.renderRemarks();
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
    if (!document.body.dataset.mapMs) document.body.dataset.mapMs = String(Math.round(performance.now()));
    GT.lists.renderMap();
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
      const found = state.remarksFresh ? GT.lists.duplicates(p) : [];
      if (found.length) GT.lists.showDupes(found); else queue(p);
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
        GT.lists.renderOutbox();
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
    GT.lists.renderMap();
  }

  function renderAll() {
    applyTexts();
    renderNet();
    if (!state.code) return;
    renderWalk();
    renderPosition();
    renderPhoto();
    GT.lists.renderRemarks();
    GT.lists.renderOutbox();
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
    GT.sender.onChange(function () { GT.lists.renderOutbox(); });
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

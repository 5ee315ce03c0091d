/* What the form lists: this phone's outbox, the walk's numbered remarks, the map's markers, and the
 * open remarks close by that may be the same thing (offered before a remark is queued). Everything
 * a participant typed is set as text (textContent), never as HTML.
 */
(function () {
  "use strict";
  const GT = (window.GT = window.GT || {});
  let ownItems = []; // this phone's outbox for the walk, as last read
  function ui() { return GT.ui; }
  function st() { return GT.ui.state; }
  function T(key, fields) { return GT.ui.T(key, fields); }
  function $(id) { return document.getElementById(id); }

  function distanceM(a, b) {
    const r = 6371008.8, rad = Math.PI / 180;
    const dLat = (b.lat - a.lat) * rad, dLon = (b.lon - a.lon) * rad;
    const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
    return 2 * r * Math.asin(Math.min(1, Math.sqrt(h)));
  }

  function duplicates(p) {
    const radius = (st().walk && st().walk.duplicate_radius_m) || 25;
    return st().remarks.filter(function (r) { return r.open && r.category === st().draft.category; })
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

  function itemState(item) {
    if (GT.sender.isSending(item.id)) return ["sending", T("web.status_sending")];
    if (item.state === "failed") return ["failed", T("web.status_failed", { why: item.error })];
    if (item.state !== "sent") return ["saved", T("web.status_saved")];
    if (item.photoError) return ["failed", T("web.photo_failed", { n: item.number, why: item.photoError })];
    if (item.photo && !item.photoDone) return ["saved", T("web.photo_waiting", { n: item.number })];
    return ["sent", T("web.status_sent", { n: item.number })];
  }

  function renderOutbox() {
    if (!st().code) return Promise.resolve();
    return GT.outbox.items(st().code).then(function (items) {
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
      ui().setText("outbox-summary", waiting ? T("web.outbox_waiting", { n: waiting })
        : items.length ? T("web.outbox_done") : T("web.outbox_empty"));
      const last = items[items.length - 1];
      if (last && $("form-done").textContent) ui().setText("form-done", itemState(last)[1]);
      renderRemarks();
    });
  }

  /* The walk's remarks as last fetched, and this phone's acknowledged ones the fetch has not seen yet. */
  function walkRemarks() {
    const known = new Set(st().remarks.map(function (r) { return r.number; }));
    const mine = ownItems.filter(function (i) { return i.number && !known.has(i.number); }).map(function (i) {
      return { number: i.number, lat: i.body.lat, lon: i.body.lon, category: i.body.category, state: "ny",
               open: true, text: i.body.text };
    });
    return st().remarks.concat(mine).sort(function (a, b) { return a.number - b.number; });
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
    if (!st().remarksFresh && st().remarksAt) {
      const at = new Date(st().remarksAt).toLocaleTimeString(st().lang === "sv" ? "sv-SE" : "en-GB",
                                                                 { hour: "2-digit", minute: "2-digit" });
      status = T("web.cached", { time: at });
    }
    ui().setText("list-status", status);
    renderMap();
  }

  function renderMap() {
    if (!GT.walkmap.ready()) return;
    const own = ownItems.filter(function (i) { return !i.number && i.state !== "failed"; })
      .map(function (i) { return { lat: i.body.lat, lon: i.body.lon, title: T("web.own_marker") }; });
    const remarks = walkRemarks().map(function (r) {
      return { number: r.number, lat: r.lat, lon: r.lon, open: r.open, title: r.number + ". " + T("category." + r.category) };
    });
    GT.walkmap.show(remarks, own, st().walk && st().walk.area);
  }

  GT.lists = { duplicates: duplicates, showDupes: showDupes, renderOutbox: renderOutbox,
               renderRemarks: renderRemarks, renderMap: renderMap };
})();

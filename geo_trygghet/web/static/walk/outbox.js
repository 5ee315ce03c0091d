/* The phone's outbox (IndexedDB) and the sender that empties it.
 *
 * A remark goes into the outbox the moment the participant taps Skicka, with the UUID its form
 * got when it opened. The sender posts it, then its photo, and keeps the server's number; an
 * answer that never comes is harmless: the same UUID sent again is the same remark (200).
 * It runs when the phone comes online, when the page becomes visible, on a timer, and on
 * "Skicka nu". Stores: outbox (remarks), drafts (the open form of each walk), cache (the walk
 * and its remarks as last fetched, for offline use).
 */
(function () {
  "use strict";
  const GT = (window.GT = window.GT || {});
  const DB_NAME = "gt-walk";
  const STORES = ["outbox", "drafts", "cache"];
  let dbPromise = null;

  function open() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        const req = indexedDB.open(DB_NAME, 1);
        req.onupgradeneeded = function () {
          const db = req.result;
          STORES.forEach(function (name) {
            if (!db.objectStoreNames.contains(name)) db.createObjectStore(name, { keyPath: "key" });
          });
        };
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { reject(req.error); };
      });
    }
    return dbPromise;
  }

  function run(store, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        const tx = db.transaction(store, mode);
        const result = work(tx.objectStore(store));
        tx.oncomplete = function () { resolve(result && "result" in result ? result.result : undefined); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  const db = {
    get: function (store, key) { return run(store, "readonly", function (s) { return s.get(key); }); },
    put: function (store, value) { return run(store, "readwrite", function (s) { s.put(value); }); },
    del: function (store, key) { return run(store, "readwrite", function (s) { s.delete(key); }); },
    all: function (store) { return run(store, "readonly", function (s) { return s.getAll(); }); },
  };
  GT.db = db;

  /* ------------------------------------------------------------------ the outbox */
  const SENT = "sent", SAVED = "saved", FAILED = "failed";
  const outbox = {
    add: function (item) {
      item.key = item.id;
      item.state = SAVED;
      item.queuedAt = Date.now();
      return db.put("outbox", item);
    },
    items: function (code) {
      return db.all("outbox").then(function (rows) {
        return rows.filter(function (r) { return !code || r.code === code; })
          .sort(function (a, b) { return a.queuedAt - b.queuedAt; });
      });
    },
    pending: function (item) {
      return item.state === SAVED || (item.state === SENT && item.photo && !item.photoDone && !item.photoError);
    },
  };
  GT.outbox = outbox;

  /* ------------------------------------------------------------------ the sender */
  const TICK_MS = 15000, MAX_BACKOFF_MS = 30000, TIMEOUT_MS = 20000;
  const sending = new Set(); // ids being sent now (shown as "Skickas"; never stored)
  let busy = false, again = false, failures = 0, timer = null, listeners = [], options = {};

  function emit() { listeners.forEach(function (fn) { fn(); }); }

  function request(url, init) {
    const controller = new AbortController();
    const timeout = setTimeout(function () { controller.abort(); }, TIMEOUT_MS);
    init.signal = controller.signal;
    init.headers = Object.assign({ "Accept-Language": options.lang ? options.lang() : "sv" }, init.headers || {});
    return fetch(url, init).finally(function () { clearTimeout(timeout); });
  }

  function problem(response) {
    return response.json().then(function (b) { return (b && b.error) || String(response.status); },
                                function () { return String(response.status); });
  }

  /* A status worth trying again later: the server or the way to it had a problem. */
  function transient(status) { return status === 408 || status === 429 || status >= 500; }

  class Retry extends Error {}

  function postRemark(item) {
    return request(options.api + "walks/" + encodeURIComponent(item.code) + "/remarks", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(item.body),
    }).then(function (response) {
      if (response.status === 200 || response.status === 201) {
        return response.json().then(function (ack) {
          item.number = ack.number;
          item.state = SENT;
          return db.put("outbox", item);
        });
      }
      if (transient(response.status)) throw new Retry(String(response.status));
      return problem(response).then(function (why) {
        item.state = FAILED;
        item.error = why;
        if (response.status === 403 && options.onClosed) options.onClosed(item.code);
        return db.put("outbox", item);
      });
    });
  }

  function putPhoto(item) {
    return request(options.api + "remarks/" + item.id + "/photo", {
      method: "PUT", headers: { "Content-Type": item.photo.type || "image/jpeg", "X-Walk-Code": item.code },
      body: item.photo,
    }).then(function (response) {
      if (response.status === 200 || response.status === 201) {
        item.photoDone = true;
        return db.put("outbox", item);
      }
      if (transient(response.status)) throw new Retry(String(response.status));
      return problem(response).then(function (why) {
        item.photoError = why;
        return db.put("outbox", item);
      });
    });
  }

  function sendOne(item) {
    sending.add(item.id);
    emit();
    const first = item.state === SAVED ? postRemark(item) : Promise.resolve();
    return first.then(function () {
      if (item.state === SENT && item.photo && !item.photoDone && !item.photoError) return putPhoto(item);
      return undefined;
    }).finally(function () {
      sending.delete(item.id);
      emit();
    });
  }

  function flush() {
    if (!navigator.onLine) { schedule(); return Promise.resolve(); } // the online event comes back here
    if (busy) { again = true; return Promise.resolve(); }
    busy = true;
    again = false;
    let sentSome = false;
    return outbox.items().then(function (items) {
      const todo = items.filter(outbox.pending);
      return todo.reduce(function (chain, item) {
        return chain.then(function () { return sendOne(item).then(function () { sentSome = true; }); });
      }, Promise.resolve());
    }).then(function () {
      failures = 0;
    }, function () {
      failures += 1; // offline, a timeout, a 5xx: keep everything, try again later
    }).finally(function () {
      busy = false;
      if (sentSome && options.onSent) options.onSent();
      schedule();
      emit();
      if (again) flush();
    });
  }

  function schedule() {
    clearTimeout(timer);
    const delay = failures ? Math.min(MAX_BACKOFF_MS, 5000 * Math.pow(2, failures - 1)) : TICK_MS;
    timer = setTimeout(function () { outbox.items().then(function (items) {
      if (items.some(outbox.pending)) flush(); else schedule();
    }); }, delay);
  }

  GT.sender = {
    /* options: api (base URL of /api/v1/, ending in /), lang(), onSent(), onClosed(code) */
    start: function (opts) {
      options = opts;
      window.addEventListener("online", function () { failures = 0; flush(); });
      document.addEventListener("visibilitychange", function () {
        if (document.visibilityState === "visible") flush();
      });
      flush();
    },
    flush: function () { failures = 0; return flush(); },
    onChange: function (fn) { listeners.push(fn); },
    isSending: function (id) { return sending.has(id); },
  };

  GT.newId = function () {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16)); // plain http on a LAN: no randomUUID there
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, function (x) { return x.toString(16).padStart(2, "0"); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  };
})();

/* The phone form's service worker (scope /walk/): keeps the form's files so that it opens with
 * no network once it has been opened. The server writes the version (a hash of every file)
 * and the file list into this file: a changed file makes a new worker and a fresh cache.
 * Only the form's own files are answered from the cache; the API always goes to the network
 * (the page keeps the walk and its remarks itself, and the outbox sends when it can).
 */
"use strict";
const VERSION = "__VERSION__";
const CACHE = "gt-walk-" + VERSION;
const SHELL = __SHELL__;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(SHELL.map(function (path) { return new Request(path, { cache: "no-cache" }); }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("gt-walk-") === 0 && k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  const scope = new URL(self.registration.scope);
  if (url.origin !== scope.origin || url.pathname.indexOf(scope.pathname) !== 0) return;
  if (url.pathname === scope.pathname + "sw.js") return;
  const navigation = request.mode === "navigate" || url.pathname === scope.pathname;
  const key = navigation ? scope.href : request;
  event.respondWith(caches.open(CACHE).then(function (cache) {
    return cache.match(key, { ignoreSearch: navigation }).then(function (hit) {
      return hit || fetch(request);
    });
  }));
});

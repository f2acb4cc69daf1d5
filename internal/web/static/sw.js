// The service worker of the visit checklist: it lets an inspector reopen
// /case/{id}/inspection/{n}/check on a phone with no network (the page is
// also kept by the page itself in the same cache; what was typed is in
// localStorage, see app.js). Only the checklist pages and the
// content-hashed assets are answered from the cache; every other request
// goes to the server as if there were no worker. Browsers run service
// workers only on HTTPS or on localhost.
"use strict";
var CACHE = "dudao-check-v1";
var CHECK = /^\/case\/\d+\/inspection\/\d+\/check$/;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (e) {
  e.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("dudao-check-") === 0 && k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (e) {
  var req = e.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (CHECK.test(url.pathname)) {
    // The network first, so that a page seen online is the latest; the
    // copy when there is no network.
    e.respondWith(fetch(req).then(function (res) {
      if (res.ok && !res.redirected) {
        var copy = res.clone();
        caches.open(CACHE).then(function (c) { c.put(url.pathname, copy); });
      }
      return res;
    }).catch(function () {
      return caches.match(url.pathname).then(function (hit) { return hit || Response.error(); });
    }));
    return;
  }
  if (url.pathname.indexOf("/static/") === 0) {
    // Content-hashed: a cached copy is always right.
    e.respondWith(caches.match(req).then(function (hit) { return hit || fetch(req); }));
  }
});

{% autoescape off %}// The platform's service worker (docs/offline.md), served by ops/offline.py at /sw.js. Version {{ version }}.
// - The app shell (styles, scripts, icons, the offline page) is kept on install and served from the device.
// - The pages an inspector needs without a signal (the home page, today's inspections, their screens, the finding
//   and hazard forms) are fetched from the network first and kept; without a network the kept copy is shown.
// - Any other page, without a network, shows the offline page, which says the page needs the server.
// - Nothing else is touched: API calls, form posts and downloads go to the network as if there were no worker.
// What is typed offline is not kept here but by the pages (static/js/offline.js, IndexedDB).
"use strict";

const VERSION = "{{ version }}";
const SHELL = "shell-" + VERSION;
const PAGES = "pages";  // a person's pages: emptied at log-out
const SHELL_FILES = {{ shell_json }};
const SHELL_PATHS = new Set(SHELL_FILES);
const OFFLINE_PAGE = "{{ offline_page }}";
const KEPT = [
  /^\/$/,
  /^\/inspections\/$/,
  /^\/inspections\/\d+\/$/,
  /^\/inspections\/\d+\/fill\/\d+\/$/,
  /^\/inspections\/\d+\/findings\/new\/$/,
  /^\/hazards\/new\/$/,
];
// Empty forms: shown from the phone at once (a weak signal is slow) and refreshed behind, for the next time.
const AT_ONCE = [/^\/inspections\/\d+\/findings\/new\/$/, /^\/hazards\/new\/$/];
const DOWNLOAD = /(\.(pdf|xlsx|csv|zip|json)$)|\/export/;
// A weak signal can take a minute to fail; a kept page is shown after this long instead.
const NETWORK_WAIT_MS = 8000;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(SHELL_FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("shell-") && n !== SHELL).map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  );
});

function kept(url) {
  return KEPT.some((pattern) => pattern.test(url.pathname));
}

async function fromNetworkFirst(request, url) {
  const cache = await caches.open(PAGES);
  const key = url.pathname + url.search;
  const network = fetch(request).then((response) => {
    if (response.ok && response.type === "basic" && !response.redirected) {
      cache.put(key, response.clone());
    }
    return response;
  });
  const copy = await cache.match(key, { ignoreVary: true });
  if (copy && AT_ONCE.some((pattern) => pattern.test(url.pathname))) {
    network.catch(() => null);
    return copy;
  }
  if (!copy) {
    return network.catch(() => offlinePage());
  }
  const late = new Promise((resolve) => setTimeout(() => resolve(copy), NETWORK_WAIT_MS));
  return Promise.race([network.catch(() => copy), late]);
}

async function offlinePage() {
  return (await caches.match(OFFLINE_PAGE, { ignoreVary: true, cacheName: SHELL })) || new Response("offline", { status: 503, headers: { "Content-Type": "text/plain" } });
}

async function fromShellFirst(request) {
  // by address only: the pages vary by language and cookie, which a worker's own requests do not show
  const copy = await caches.match(new URL(request.url).pathname, { ignoreVary: true, cacheName: SHELL });
  if (copy) {
    return copy;
  }
  return fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method === "POST" && url.pathname === "{{ logout_path }}") {
    event.waitUntil(caches.delete(PAGES));  // the kept pages are this person's; the log-out itself goes on as ever
    return;
  }
  if (request.method !== "GET") {
    return;
  }
  if (url.origin !== self.location.origin) {
    return;
  }
  if (SHELL_PATHS.has(url.pathname)) {
    event.respondWith(fromShellFirst(request));
    return;
  }
  if (request.mode !== "navigate" || DOWNLOAD.test(url.pathname)) {
    return;
  }
  if (kept(url)) {
    event.respondWith(fromNetworkFirst(request, url));
  } else {
    event.respondWith(fetch(request).catch(() => offlinePage()));
  }
});

// offline.js asks the worker to keep the pages of the inspector's open inspections while the network is there.
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "keep" && Array.isArray(data.urls)) {
    event.waitUntil(keep(data.urls).then((count) => event.source && event.source.postMessage({ type: "kept", count })));
  }
});

async function keep(urls) {
  const cache = await caches.open(PAGES);
  let count = 0;
  try {  // the offline page too, in the language the person now uses
    const page = await fetch(OFFLINE_PAGE, { credentials: "same-origin" });
    if (page.ok) {
      await (await caches.open(SHELL)).put(OFFLINE_PAGE, page);
    }
  } catch (error) {
    return count;
  }
  for (const address of urls) {
    const url = new URL(address, self.location.origin);
    if (url.origin !== self.location.origin || !kept(url)) {
      continue;
    }
    try {
      const response = await fetch(url, { credentials: "same-origin", redirect: "manual" });
      if (response.ok && response.type === "basic") {
        await cache.put(url.pathname + url.search, response);
        count += 1;
      }
    } catch (error) {
      break;  // the network went: keep what was kept
    }
  }
  return count;
}
{% endautoescape %}

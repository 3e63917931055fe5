// Offline capture (docs/offline.md). What an inspector records is kept on the phone first (IndexedDB) and sent
// from there, one record per request, in the order it was made: answers, findings and each photo on its own, so a
// weak signal finishes them one by one. Every record carries a key the server recognises (an answer is one per item,
// a finding its idempotency key, a photo its upload key), so a retry, a double tap or a second device never stores
// anything twice. A record leaves the phone only when the server has confirmed it; one the server refuses stays,
// with the server's reason, until the inspector fixes or discards it. A strip under the top bar says how many wait
// ("N 条待上传").
// The service worker (/sw.js) keeps the pages (and empties them at log-out); this script keeps the records, draws the
// indicator and the queue, and asks the worker to keep the pages of the inspector's open inspections while there is
// a network. Records still waiting at log-out stay, and are sent when the same person logs in again.
(function () {
  "use strict";

  var body = document.body;
  var USER_KEY = "safety-offline-user";
  var KEEP_KEY = "safety-offline-kept-at";
  var KEEP_EVERY_MS = 5 * 60 * 1000;
  if (body.dataset.user) {
    if (localStorage.getItem(USER_KEY) !== body.dataset.user) {
      localStorage.removeItem(KEEP_KEY);  // another person on this phone: keep their pages at once
    }
    localStorage.setItem(USER_KEY, body.dataset.user);
  }
  var user = body.dataset.user || localStorage.getItem(USER_KEY) || "";
  var template = document.getElementById("offline-words");
  var words = template ? template.dataset : {};
  var available = !!window.indexedDB && !!window.Promise;
  var listeners = [];
  var problem = "";  // "login" when the session ended; "network" while the network is away

  function say(name, count) {
    return (words[name] || name).replace("%n", String(count));
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID();
    }
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  // ---- the store: "ops" (the records, in the order made) and "values" (an answer's latest values, a sent
  // finding's photo address), both in one IndexedDB database on this phone.
  var opened = null;
  function db() {
    if (!opened) {
      opened = new Promise(function (resolve, reject) {
        var request = indexedDB.open("safety-offline", 1);
        request.onupgradeneeded = function () {
          request.result.createObjectStore("ops", { keyPath: "id", autoIncrement: true });
          request.result.createObjectStore("values", { keyPath: "group" });
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return opened;
  }

  function done(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function committed(transaction) {
    return new Promise(function (resolve, reject) {
      transaction.oncomplete = function () { resolve(); };
      transaction.onerror = transaction.onabort = function () { reject(transaction.error); };
    });
  }

  function store(name, mode) {
    return db().then(function (database) { return database.transaction(name, mode).objectStore(name); });
  }

  function ops() {
    return store("ops", "readonly")
      .then(function (s) { return done(s.getAll()); })
      .then(function (all) { return all.filter(function (op) { return op.user === user; }); });
  }

  function putOp(op) {
    return store("ops", "readwrite").then(function (s) { return done(s.put(op)); });
  }

  function deleteOp(id) {
    return store("ops", "readwrite").then(function (s) { return done(s.delete(id)); });
  }

  function values(group) {
    return store("values", "readonly").then(function (s) { return done(s.get(group)); });
  }

  function setValues(group, data) {
    return store("values", "readwrite").then(function (s) {
      return done(s.put(Object.assign({}, data, { group: group })));
    });
  }

  // Keep records: all of them, and their group's latest values when given, in one transaction over both stores (a
  // finding and its photos are kept together or not at all; a group's values are never forgotten between being set
  // and its record being kept). An answer's waiting record is replaced by the newer one, which goes with the
  // answer's latest values.
  function enqueue(list, latest) {
    list = Array.isArray(list) ? list : [list];
    return db().then(function (database) {
      var transaction = database.transaction(["ops", "values"], "readwrite");
      var s = transaction.objectStore("ops");
      if (latest) {
        transaction.objectStore("values").put(Object.assign({}, latest.values, { group: latest.group }));
      }
      s.getAll().onsuccess = function (event) {
        var existing = event.target.result.filter(function (old) { return old.user === user; });
        list.forEach(function (op) {
          if (op.kind === "answer" || op.kind === "answer-photo") {
            existing.forEach(function (old) {
              if (old.group === op.group && old.kind === "answer") {
                s.delete(old.id);
              }
            });
          }
          op.user = user;
          op.state = op.hold ? "held" : "waiting";
          op.made = Date.now();
          s.add(op);
        });
      };
      return committed(transaction);
    }).then(function () {
      if (navigator.storage && navigator.storage.persist) {
        navigator.storage.persist();  // ask the browser not to clear the store when the phone runs short of space
      }
      changed();
      sync();
    });
  }

  function discard(op) {
    return ops().then(function (all) {
      var later = all.filter(function (o) { return o.group === op.group && o.id >= op.id; });
      return Promise.all(later.map(function (o) { return deleteOp(o.id); }));
    }).then(function () { return forget(op.group); }).then(changed);
  }

  // A group's values go once nothing of it waits (read and deleted in one transaction with the records).
  function forget(group) {
    return db().then(function (database) {
      var transaction = database.transaction(["ops", "values"], "readwrite");
      transaction.objectStore("ops").getAll().onsuccess = function (event) {
        if (!event.target.result.some(function (o) { return o.group === group; })) {
          transaction.objectStore("values").delete(group);
        }
      };
      return committed(transaction);
    });
  }

  function exists(id) {
    return store("ops", "readonly").then(function (s) { return done(s.count(id)); });
  }

  // ---- sending, one record at a time, in order; a refused record holds back the later records of its group only.
  var running = null;
  var again = false;
  var retry = null;

  function sync() {
    if (!available || !user) {
      return Promise.resolve();
    }
    if (running) {
      again = true;
      return running;
    }
    again = false;
    var locks = navigator.locks;
    var work = locks ? locks.request("safety-offline-sync", run) : run();
    running = work.then(finish, finish);
    return running;
  }

  function finish(outcome) {
    running = null;
    if (again) {
      return sync();
    }
    clearTimeout(retry);
    if (outcome === "network") {
      retry = setTimeout(sync, 15000);
    }
    return changed();
  }

  function run() {
    return ops().then(function (all) {
      all.sort(function (a, b) { return a.id - b.id; });
      var blocked = {};
      var index = 0;
      problem = "";
      function next() {
        if (index >= all.length) {
          return "done";
        }
        var op = all[index++];
        if (op.state === "refused" || blocked[op.group]) {
          blocked[op.group] = true;
          return next();
        }
        if (op.state === "held") {
          return next();
        }
        return send(op).then(function (outcome) {
          if (outcome === "refused") {
            blocked[op.group] = true;
          }
          if (outcome === "network" || outcome === "login") {
            problem = outcome;
            return outcome;
          }
          return next();
        });
      }
      return next();
    });
  }

  function csrf() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) {
      return decodeURIComponent(match[1]);
    }
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function request(op) {
    return values(op.group).then(function (kept) {
      kept = kept || {};
      var form = new FormData();
      var url = op.url;
      var fields = op.fields || {};
      if (op.kind === "answer" || op.kind === "answer-photo") {
        fields = kept.fields || {};
      }
      if (op.kind === "finding-photo") {
        url = url || kept.url;
        if (!url) {
          return null;  // its finding has not been sent (it is earlier in the queue): never sent on its own
        }
      }
      Object.keys(fields).forEach(function (name) {
        if (fields[name] !== "" && fields[name] !== null && fields[name] !== undefined) {
          form.append(name, fields[name]);
        }
      });
      if (op.file) {
        form.append(op.kind === "finding-photo" ? "file" : "photos", op.file, op.fileName || "photo.jpg");
        form.append("photo_key", op.key);
      }
      return { url: url, body: form };
    });
  }

  function send(op) {
    return exists(op.id).then(function (count) {
      return count ? request(op) : null;  // replaced or discarded since this round began: nothing to send
    }).then(function (prepared) {
      if (!prepared) {
        return "waiting";
      }
      return fetch(prepared.url, {
        method: "POST",
        body: prepared.body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf(), "Accept": "application/json" },
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return settle(op, response, data);
        });
      }, function () { return "network"; });
    });
  }

  function reason(data) {
    if (data.detail) {
      return String(data.detail);
    }
    var parts = [];
    Object.keys(data).forEach(function (name) {
      var value = data[name];
      (Array.isArray(value) ? value : [value]).forEach(function (text) {
        if (typeof text === "string") {
          parts.push(text);
        }
      });
    });
    return parts.join(" ");
  }

  function settle(op, response, data) {
    var status = response.status;
    if (response.ok) {
      var after = Promise.resolve();
      if ((op.kind === "finding" || op.kind === "hazard") && data.id) {
        after = setValues(op.group, { url: data.photos_url || "/api/v1/hazards/" + data.id + "/photos/" });
      }
      return after.then(function () { return deleteOp(op.id); }).then(function () {
        tell("sent", op, data);
        return forget(op.group);
      }).then(function () { return "sent"; });
    }
    var login = status === 401 || (status === 403 && /CSRF|not_authenticated/i.test(JSON.stringify(data)));
    if (login) {
      return "login";
    }
    if (status === 408 || status === 429 || status >= 500) {
      return "network";
    }
    op.state = "refused";
    op.status = status;
    op.reason = reason(data) || String(status);
    return exists(op.id).then(function (count) {
      return count ? putOp(op) : null;  // a record replaced meanwhile (a newer answer) is not brought back
    }).then(function () {
      tell("refused", op, data);
      return "refused";
    });
  }

  // ---- telling the pages: the indicator, the queue lists, and each page's own listeners.
  function tell(what, op, data) {
    listeners.forEach(function (listener) { listener(what, op, data); });
  }

  function changed() {
    return ops().then(function (all) {
      var refused = all.filter(function (op) { return op.state === "refused"; }).length;
      var waiting = all.length - refused;
      document.querySelectorAll(".offline-status").forEach(function (status) {
        var parts = [];
        if (!navigator.onLine) {
          parts.push(say("offline"));
        }
        if (waiting) {
          parts.push(waiting === 1 ? say("pendingOne") : say("pendingMany", waiting));
        }
        if (refused) {
          parts.push(say("refused", refused));
        }
        status.textContent = parts.join(" · ");
        status.dataset.count = String(waiting);
        status.dataset.refused = String(refused);
        status.title = problem === "login" ? say("login") : "";
        status.classList.toggle("refused", refused > 0);
        status.hidden = parts.length === 0;
      });
      document.querySelectorAll("[data-offline-queue]").forEach(function (box) { draw(box, all); });
      tell("changed", null, all);
      return all;
    });
  }

  function kindName(op) {
    return say("kind" + op.kind.replace(/(^|-)([a-z])/g, function (m, dash, letter) { return letter.toUpperCase(); }));
  }

  function draw(box, all) {
    var scope = box.dataset.scope;
    var shown = all.filter(function (op) { return !scope || op.scope === scope; });
    box.textContent = "";
    if (problem === "login") {
      var login = document.createElement("p");
      login.className = "error";
      login.textContent = say("login");
      box.appendChild(login);
    }
    if (!shown.length) {
      if (!scope) {
        var none = document.createElement("p");
        none.className = "hint";
        none.textContent = say("nothing");
        box.appendChild(none);
      }
      box.hidden = !!scope && problem !== "login";
      return;
    }
    box.hidden = false;
    var list = document.createElement("ul");
    list.className = "rows offline-items";
    shown.sort(function (a, b) { return a.id - b.id; }).forEach(function (op) {
      var item = document.createElement("li");
      item.className = "offline-item " + op.state;
      item.dataset.kind = op.kind;
      var title = document.createElement("div");
      title.className = "row-title";
      title.textContent = kindName(op) + "：" + (op.label || "");
      item.appendChild(title);
      var state = document.createElement("div");
      state.className = op.state === "refused" ? "error" : "row-meta";
      state.textContent = op.state === "refused" ? say("refusedLabel") + "：" + op.reason
        : op.state === "held" ? say("needsPhoto") : say("waiting");
      item.appendChild(state);
      if (op.state === "refused" && op.kind === "finding" && op.status === 409 && op.enterprise) {
        item.appendChild(button(say("fileSeparately"), "primary", function () { fileSeparately(op); }));
      }
      if (op.state !== "waiting" || !navigator.onLine) {
        item.appendChild(button(say("discard"), "secondary", function () {
          if (window.confirm(say("discardConfirm"))) {
            discard(op);
          }
        }));
      }
      list.appendChild(item);
    });
    box.appendChild(list);
  }

  function button(text, style, action) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = style;
    element.textContent = text;
    element.addEventListener("click", action);
    return element;
  }

  // A finding refused because its inspection was submitted meanwhile is filed as a hazard of its own, with the
  // same key (the refused one stored nothing), and its photos follow it.
  function fileSeparately(op) {
    op.kind = "hazard";
    op.url = "/api/v1/hazards/";
    op.fields = Object.assign({}, op.fields, { enterprise: op.enterprise });
    op.state = "waiting";
    delete op.reason;
    delete op.status;
    return putOp(op).then(changed).then(sync);
  }

  // ---- photos are made small on the phone before they are kept: the longest side at most data-photo-edge pixels.
  function downscale(file) {
    var edge = parseInt(body.dataset.photoEdge || "1600", 10);
    if (!/^image\//.test(file.type) || !window.createImageBitmap) {
      return Promise.resolve(file);
    }
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, edge / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      if (bitmap.close) {
        bitmap.close();
      }
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          var name = (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg";
          resolve(blob ? new File([blob], name, { type: "image/jpeg" }) : file);
        }, "image/jpeg", 0.85);
      });
    }, function () { return file; });  // a file the phone cannot read as a picture: the server says why it refuses it
  }

  // ---- the pages of the inspector's open inspections, kept by the worker while there is a network.
  function keepPages(force) {
    if (!("serviceWorker" in navigator) || !body.dataset.user || !navigator.onLine) {
      return;
    }
    var kept = (localStorage.getItem(KEEP_KEY) || "").split("|");  // "<language>|<when>"
    var language = document.documentElement.lang;
    if (!force && kept[0] === language && Date.now() - parseInt(kept[1] || "0", 10) < KEEP_EVERY_MS) {
      return;  // kept lately, in this language (a switch of language keeps them again, in the new one)
    }
    navigator.serviceWorker.ready.then(function (registration) {
      return fetch("/inspections/offline-pages/", { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { pages: [] }; })
        .then(function (data) {
          localStorage.setItem(KEEP_KEY, language + "|" + Date.now());  // asked: not again for five minutes
          if (registration.active && data.pages && data.pages.length) {
            registration.active.postMessage({ type: "keep", urls: ["/"].concat(data.pages) });
          }
        });
    }).catch(function () {});
  }

  function onWorkerMessage(event) {
    if (event.data && event.data.type === "kept") {
      document.querySelectorAll("[data-offline-ready]").forEach(function (line) {
        line.textContent = say("keptPages", event.data.count);
        line.hidden = false;
      });
      tell("kept", null, event.data);
    }
  }

  window.SafetyOffline = {
    available: available && !!user,
    uuid: uuid,
    enqueue: enqueue,
    values: values,
    ops: ops,
    sync: sync,
    discard: discard,
    downscale: downscale,
    say: say,
    keepPages: keepPages,
    listen: function (listener) { listeners.push(listener); },
  };

  if ("serviceWorker" in navigator && body.dataset.user) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
    navigator.serviceWorker.addEventListener("message", onWorkerMessage);
  }
  window.addEventListener("online", function () { changed(); sync(); keepPages(false); });
  window.addEventListener("offline", function () { changed(); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      sync();
    }
  });
  if (available && user) {
    var here = location.pathname;
    document.querySelectorAll("[data-offline-page] [data-when]").forEach(function (part) {
      part.hidden = (part.dataset.when === "here") !== (here === "/offline/");
    });
    changed();
    sync();
    keepPages(here === "/inspections/");
  }
})();

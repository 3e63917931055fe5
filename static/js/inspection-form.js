// Save each answer the moment it is given, so closing the browser or losing the network loses nothing already
// answered. With the phone's store (offline.js) every answer and every photo is kept on the phone first and sent from
// there, one request each, in order; "Save and next" then goes on at once (the next screen is kept on the phone too)
// and what was refused is said on its item. Without the store each answer goes straight to the API, and without
// JavaScript the "save" button posts the whole screen.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form) { return; }
  var offline = window.SafetyOffline && window.SafetyOffline.available ? window.SafetyOffline : null;
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var scope = "inspection:" + form.dataset.inspection;
  var fieldsets = Array.prototype.slice.call(form.querySelectorAll("fieldset[data-item]"));

  function group(fieldset) {
    return "answer:" + form.dataset.inspection + ":" + fieldset.dataset.item;
  }

  function given(fieldset) {
    var item = fieldset.dataset.item;
    var values = {};
    ["result", "number", "text", "note"].forEach(function (key) {
      fieldset.querySelectorAll("[name='i" + item + "-" + key + "']").forEach(function (input) {
        if ((input.type !== "radio" || input.checked) && input.value !== "") { values[key] = input.value; }
      });
    });
    return values;
  }

  function label(fieldset) {
    return fieldset.querySelector("legend").textContent.trim();
  }

  function record(fieldset, extra) {
    return Object.assign({ group: group(fieldset), url: form.dataset.autosave, label: label(fieldset),
      target: fieldset.id, scope: scope, kind: "answer", hold: false, file: null, key: null }, extra);
  }

  var last = {};  // each item's values as last kept (or as the page came): only a change is kept again

  function keep(fieldset) {
    var values = given(fieldset);
    var now = JSON.stringify(values);
    if (!Object.keys(values).length || last[fieldset.id] === now) { return Promise.resolve(); }
    last[fieldset.id] = now;
    values.item = fieldset.dataset.item;
    // a failed item that needs a photo waits for its photo (sent with it) rather than being refused without one
    var hold = fieldset.dataset.photoRequired === "1" && values.result === "fail" && fieldset.dataset.photos === "0";
    return offline.enqueue(record(fieldset, { hold: hold }), { group: group(fieldset), values: { fields: values } });
  }

  function keepPhotos(fieldset, input) {
    var files = Array.prototype.slice.call(input.files);
    if (!files.length) { return Promise.resolve(); }
    var values = given(fieldset);
    values.item = fieldset.dataset.item;
    fieldset.dataset.photos = String(parseInt(fieldset.dataset.photos || "0", 10) + files.length);
    last[fieldset.id] = JSON.stringify(given(fieldset));  // the photos carry the answer as it stands
    return Promise.all(files.map(offline.downscale)).then(function (small) {
      input.value = "";  // kept on the phone: the screen's own post must not send them again
      return offline.enqueue(small.map(function (file) {
        return record(fieldset, { kind: "answer-photo", file: file, fileName: file.name, key: offline.uuid() });
      }), { group: group(fieldset), values: { fields: values } });
    });
  }

  function post(fieldset) {
    var values = given(fieldset);
    if (!Object.keys(values).length) { return; }
    var body = new FormData();
    body.append("item", fieldset.dataset.item);
    Object.keys(values).forEach(function (key) { body.append(key, values[key]); });
    fetch(form.dataset.autosave, { method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Accept": "application/json" } })
      .then(function (response) { fieldset.classList.toggle("autosaved", response.ok); });
  }

  fieldsets.forEach(function (fieldset) {
    fieldset.addEventListener("change", function (event) {
      if (!offline) {
        if (event.target.type !== "file") { post(fieldset); }
        return;
      }
      fieldset.classList.remove("autosaved");
      if (event.target.type === "file") { keepPhotos(fieldset, event.target); } else { keep(fieldset); }
    });
  });
  if (!offline) { return; }

  // What waits on the phone for this screen: its values shown again (the page may be an older copy kept offline),
  // and on each item whether it waits or what the server said.
  function show(all) {
    fieldsets.forEach(function (fieldset) {
      var mine = all.filter(function (op) { return op.target === fieldset.id; });
      var note = fieldset.querySelector(".offline-note");
      if (!mine.length) {
        if (note) { note.remove(); }
        fieldset.classList.remove("queued", "refused");
        return;
      }
      if (!note) {
        note = document.createElement("div");
        note.className = "offline-note";
        fieldset.appendChild(note);
      }
      var refused = mine.filter(function (op) { return op.state === "refused"; });
      fieldset.classList.toggle("refused", refused.length > 0);
      fieldset.classList.toggle("queued", refused.length === 0);
      note.textContent = "";
      var line = document.createElement("p");
      line.className = refused.length ? "error" : "hint";
      line.setAttribute("role", refused.length ? "alert" : "status");
      var photos = mine.filter(function (op) { return op.kind === "answer-photo" && op.state !== "refused"; }).length;
      line.textContent = refused.length ? offline.say("refusedLabel") + "：" + refused[0].reason
        : mine.some(function (op) { return op.state === "held"; }) ? offline.say("needsPhoto") : offline.say("kept");
      if (photos && !refused.length) { line.textContent += " " + offline.say("photosWaiting", photos); }
      note.appendChild(line);
      if (refused.length) {
        var discard = document.createElement("button");
        discard.type = "button";
        discard.className = "secondary";
        discard.textContent = offline.say("discard");
        discard.addEventListener("click", function () {
          if (window.confirm(offline.say("discardConfirm"))) { offline.discard(refused[0]); }
        });
        note.appendChild(discard);
      }
    });
  }

  function restore(fieldset) {
    return offline.values(group(fieldset)).then(function (kept) {
      var fields = kept && kept.fields;
      if (!fields) { return; }
      var item = fieldset.dataset.item;
      ["result", "number", "text", "note"].forEach(function (key) {
        fieldset.querySelectorAll("[name='i" + item + "-" + key + "']").forEach(function (input) {
          if (input.type === "radio") { input.checked = input.value === fields[key]; } else if (key in fields) { input.value = fields[key]; }
        });
      });
    });
  }

  offline.listen(function (what, op, data) {
    if (what === "changed") { show(data); }
    if (what === "sent" && op.target) {
      var fieldset = document.getElementById(op.target);
      if (fieldset) { fieldset.classList.add("autosaved"); }
    }
  });
  offline.ops().then(function (all) {
    var waiting = {};
    all.forEach(function (op) { waiting[op.target] = true; });
    return Promise.all(fieldsets.filter(function (f) { return waiting[f.id]; }).map(restore)).then(function () {
      fieldsets.forEach(function (fieldset) { last[fieldset.id] = JSON.stringify(given(fieldset)); });
      show(all);
    });
  });

  // "Save and next": every answer on the screen is kept (a value typed but not yet left counts), sent while there is
  // a network (at most a few seconds' wait), and the next screen opens, from the phone when there is no network.
  form.addEventListener("submit", function (event) {
    if (event.defaultPrevented) { return; }
    event.preventDefault();
    var go = function () { window.location.href = form.dataset.next; };
    Promise.all(fieldsets.map(keep)).then(function () {
      if (!navigator.onLine) { return go(); }
      var wait = new Promise(function (resolve) { setTimeout(resolve, 10000); });
      return Promise.race([offline.sync(), wait]).then(function () {
        if (navigator.serviceWorker && navigator.serviceWorker.controller) {
          navigator.serviceWorker.controller.postMessage({ type: "keep", urls: [window.location.pathname] });
        }
      }).then(go, go);
    }, go);
  });
});

// Say which items on this screen are still unanswered before moving on (the server refuses to submit an
// inspection with unanswered items; this says which ones while the inspector is still in front of them).
// The first tap on "save" lists them and marks them; a second tap goes on, the answered ones saved.
(function () {
  "use strict";
  var form = document.querySelector("form[data-unanswered]");
  if (!form) { return; }
  var box = form.querySelector(".unanswered-list");
  var warned = false;
  function answered(fieldset) {
    switch (fieldset.dataset.kind) {
      case "pass_fail": return !!fieldset.querySelector("input[name$='-result']:checked");
      case "number": var input = fieldset.querySelector("input[name$='-number']"); return !!(input && input.value.trim());
      default: return true;  // a text item may stay empty
    }
  }
  function missing() {
    return Array.prototype.filter.call(form.querySelectorAll("fieldset[data-item]"), function (fieldset) {
      var open = !answered(fieldset);
      fieldset.classList.toggle("unanswered", open);
      return open;
    });
  }
  function show(list) {
    box.textContent = "";
    var title = document.createElement("p");
    title.className = "error";
    title.textContent = form.dataset.unanswered;
    box.appendChild(title);
    var ul = document.createElement("ul");
    list.forEach(function (fieldset) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "#" + fieldset.id;
      a.textContent = fieldset.querySelector("legend").textContent.trim();
      li.appendChild(a);
      ul.appendChild(li);
    });
    box.appendChild(ul);
    var hint = document.createElement("p");
    hint.className = "hint";
    hint.textContent = form.dataset.goOn;
    box.appendChild(hint);
    box.hidden = false;
  }
  form.addEventListener("submit", function (event) {
    var list = missing();
    if (!list.length || warned) { return; }
    event.preventDefault();
    warned = true;
    show(list);
    box.scrollIntoView({ block: "start" });
  });
  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset[data-item]");
    if (fieldset && fieldset.classList.contains("unanswered") && answered(fieldset)) {
      fieldset.classList.remove("unanswered");
      var list = missing();
      if (list.length) { show(list); } else { box.hidden = true; }
    }
  });
})();

// Forms that work without a network (offline.js keeps what they send on the phone):
// - a finding during an inspection (data-offline="finding", templates/inspections/finding.html) is always kept on
//   the phone first and sent from there, so a weak signal never loses it and the form is empty for the next one;
// - the hazard form (data-offline="hazard", templates/hazards/create.html) is posted as usual while there is a
//   network (the server may first show open hazards at the same place), and kept on the phone when there is none.
// The record and each of its photos (made small on the phone) are kept together and sent in order: the record with
// its idempotency key (new for every record: a page kept on the phone would otherwise offer the same key twice),
// then each photo with its own upload key. Without the phone's store the form posts as it is.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var form = document.querySelector("form[data-offline]");
  var offline = window.SafetyOffline;
  if (!form || !offline || !offline.available) { return; }
  var kind = form.dataset.offline;
  var banner = document.querySelector("[data-offline-kept]");
  var codes = form.dataset.categoryCodes ? JSON.parse(form.dataset.categoryCodes) : null;
  var busy = false;
  if (!form.dataset.posted) {
    form.elements.idempotency_key.value = offline.uuid();  // a copy of the page kept on the phone has an old key
  }

  function value(name) {
    var field = form.elements[name];
    return field ? String(field.value || "").trim() : "";
  }

  function check() {
    var missing = [];
    form.querySelectorAll("[data-required]").forEach(function (field) {
      var old = field.querySelector(".error.local");
      if (old) { old.remove(); }
      field.classList.remove("invalid");
      if (!value(field.dataset.required)) {
        var error = document.createElement("p");
        error.className = "error local";
        error.setAttribute("role", "alert");
        error.textContent = form.dataset.requiredText;
        field.appendChild(error);
        field.classList.add("invalid");
        missing.push(field);
      }
    });
    if (missing.length) { missing[0].scrollIntoView({ block: "center" }); }
    return !missing.length;
  }

  function title() {
    var given = value("title");
    var input = form.elements.title;
    if (given || !input || !input.dataset.suggest) { return given; }
    var chip = form.querySelector("input[name=category]:checked");
    var category = chip && chip.closest("label") ? chip.closest("label").textContent.trim() : "";
    return input.dataset.suggest.replace("%(place)s", value("place")).replace("%(category)s", category).trim();
  }

  form.addEventListener("submit", function (event) {
    if (kind === "hazard" && (navigator.onLine || event.submitter && event.submitter.name)) { return; }
    event.preventDefault();
    if (busy || !check()) { return; }
    busy = true;
    var key = value("idempotency_key");
    var group = kind + ":" + key;
    var fields = { idempotency_key: key, title: title() };
    ["place", "level", "description", "source", "legal_basis", "enterprise"].forEach(function (name) {
      if (form.elements[name]) { fields[name] = value(name); }
    });
    fields.category = codes ? codes[value("category")] : value("category");
    var label = fields.title;
    var input = form.elements.photos;
    var files = input ? Array.prototype.slice.call(input.files) : [];
    Promise.all(files.map(offline.downscale)).then(function (small) {
      var records = [{ kind: kind, group: group, url: form.dataset.queueUrl, fields: fields, label: label,
        scope: form.dataset.scope || "", enterprise: form.dataset.enterpriseId || fields.enterprise }];
      small.forEach(function (file) {
        records.push({ kind: "finding-photo", group: group, url: null, file: file, fileName: file.name,
          key: offline.uuid(), label: label, scope: form.dataset.scope || "" });
      });
      return offline.enqueue(records);
    }).then(function () {
      form.reset();
      form.elements.idempotency_key.value = offline.uuid();  // the next record is a new one
      if (banner) {
        banner.textContent = offline.say("kept") + "（" + label + "）";
        banner.hidden = false;
        banner.scrollIntoView({ block: "center" });
      }
      form.dataset.kept = String(parseInt(form.dataset.kept || "0", 10) + 1);
    }).then(function () { busy = false; }, function () { busy = false; });
  });
  form.dataset.ready = "1";  // the benchmark's "usable" moment (bench/offline_shell.py)
  performance.mark("offline-form-ready");
});

// Save each answer the moment it is given (through the API), so closing the browser or losing the network
// loses nothing already answered. Photos go with the "save" button; without JavaScript that button saves all.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form) { return; }
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  function save(fieldset) {
    var item = fieldset.dataset.item;
    var body = new FormData();
    body.append("item", item);
    ["result", "number", "text", "note"].forEach(function (key) {
      var inputs = fieldset.querySelectorAll("[name='i" + item + "-" + key + "']");
      inputs.forEach(function (input) {
        if ((input.type !== "radio" || input.checked) && input.value !== "") { body.append(key, input.value); }
      });
    });
    if (Array.from(body.keys()).length < 2) { return; }
    fetch(form.dataset.autosave, { method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Accept": "application/json" } })
      .then(function (response) { fieldset.classList.toggle("autosaved", response.ok); });
  }
  form.querySelectorAll("fieldset[data-item]").forEach(function (fieldset) {
    fieldset.addEventListener("change", function (event) {
      if (event.target.type !== "file") { save(fieldset); }
    });
  });
})();

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

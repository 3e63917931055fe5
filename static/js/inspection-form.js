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

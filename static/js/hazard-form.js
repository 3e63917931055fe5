// The filing form: the title follows the place and the category (data-suggest, e.g. "%(place)s%(category)s隐患")
// until the filer writes one of their own; the server makes the same title when it is left empty.
(function () {
  "use strict";
  var form = document.querySelector("form.filing");
  if (!form) { return; }
  var title = form.querySelector("#id_title");
  var place = form.querySelector("#id_place");
  if (!title || !place || !title.dataset.suggest) { return; }
  var suggested = title.value === "";
  function category() {
    var checked = form.querySelector("input[name=category]:checked");
    var label = checked && checked.closest("label");
    return label ? label.textContent.trim() : "";
  }
  function suggest() {
    if (!suggested || !category()) { return; }
    title.value = title.dataset.suggest.replace("%(place)s", place.value.trim()).replace("%(category)s", category()).trim();
  }
  title.addEventListener("input", function () { suggested = title.value === ""; });
  place.addEventListener("input", suggest);
  form.querySelectorAll("input[name=category]").forEach(function (chip) { chip.addEventListener("change", suggest); });
})();

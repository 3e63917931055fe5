// The top bar's menus (<details> in nav.mainnav): one open at a time (also `name="nav"`), closed by a tap elsewhere
// or Escape. Links marked data-back go back in the history when there is one (error pages' "Back" link); their
// href (the referring page or home) is the way back without JavaScript. A form marked data-once is sent once.
"use strict";

(function () {
  function openMenus() {
    return document.querySelectorAll(".mainnav details[open]");
  }

  document.addEventListener("click", function (event) {
    openMenus().forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    openMenus().forEach(function (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    });
  });

  document.addEventListener("toggle", function (event) {
    var menu = event.target;
    if (!menu.matches || !menu.matches(".mainnav details[open]")) return;
    openMenus().forEach(function (other) {
      if (other !== menu) other.removeAttribute("open");
    });
  }, true);

  // A form marked data-once is sent once, on every page (this script is in base.html): a second tap while the first
  // is on its way does nothing (the servers' writers are idempotent too). A form whose own script handles its submit
  // (it prevents the default) is left to that script. Coming back to the page from the history unlocks it.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-once]")) return;
    if (form.dataset.sending) {
      event.preventDefault();
      return;
    }
    if (event.defaultPrevented) return;
    form.dataset.sending = "1";
    var button = form.querySelector("button[type=submit]");
    if (button) setTimeout(function () { button.disabled = true; }, 0);
  });

  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-sending]").forEach(function (form) {
      delete form.dataset.sending;
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = false;
    });
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-back]");
    if (link && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });
})();

// The top bar's menus (<details> in nav.mainnav): one open at a time (also `name="nav"`), closed by a tap elsewhere
// or Escape. Links marked data-back go back in the history when there is one (error pages' "Back" link); their
// href (the referring page or home) is the way back without JavaScript.
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

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-back]");
    if (link && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });
})();

// The duty screen: counts down to the next code and then fetches it (with its QR code, drawn by the server) from
// the page's own JSON address, so a page left open at the post always shows the current code.
"use strict";

(function () {
  var screen = document.querySelector("[data-screen]");
  if (!screen) return;
  var left = parseInt(screen.dataset.seconds, 10) || 60;
  var shown = screen.querySelector("[data-left]");

  function refresh() {
    fetch(screen.dataset.screen, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        // Refused (the device was replaced or revoked, or someone on the shift is logged in) or logged out: reload,
        // so the page says why instead of showing a code that no longer holds.
        if (response.status === 403 || response.redirected) {
          window.location.reload();
          throw new Error(response.status);
        }
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (state) {
        screen.querySelector("[data-code]").textContent = state.code;
        screen.querySelector("[data-qr]").innerHTML = state.qr;
        left = state.seconds_left;
      })
      .catch(function () {
        left = 5; // try again shortly (the network or the session may be back)
      });
  }

  setInterval(function () {
    left -= 1;
    if (left <= 0) {
      left = 60;
      refresh();
    }
    if (shown) shown.textContent = Math.max(left, 0);
  }, 1000);
})();

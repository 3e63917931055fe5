// Check-in on My duty: "Use my location" asks the browser for the phone's position (geolocation, no app) and puts
// it in the form's hidden latitude and longitude; the server measures the distance to the post. Without
// JavaScript, or where the browser has no geolocation, the button stays hidden and the code still works.
"use strict";

(function () {
  if (!("geolocation" in navigator)) return;
  document.querySelectorAll("form.check-in").forEach(function (form) {
    var button = form.querySelector("[data-locate]");
    var said = form.querySelector("[data-located]");
    button.hidden = false;
    button.addEventListener("click", function () {
      said.textContent = button.dataset.waiting || "…";
      navigator.geolocation.getCurrentPosition(
        function (position) {
          form.elements.latitude.value = position.coords.latitude.toFixed(6);
          form.elements.longitude.value = position.coords.longitude.toFixed(6);
          said.textContent = "±" + Math.round(position.coords.accuracy) + " m ✓";
        },
        function (error) {
          said.textContent = error.message;
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 }
      );
    });
  });
})();

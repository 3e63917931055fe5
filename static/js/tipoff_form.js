// The public tip-off form (templates/tipoffs/public_form.html). Everything here is a help the form works without:
// an anonymous report folds away the name and phone (the server ignores them anyway); a button adds the phone's
// location to the hidden latitude/longitude; enterprise names from the registry are suggested while typing (at
// least 2 characters, each query asked once); another CAPTCHA picture on request.
"use strict";

(function () {
  var form = document.querySelector("form.tipoff-form");
  if (!form) return;

  // --- named or anonymous ---
  var identity = form.querySelector("[data-identity]");
  function showIdentity() {
    var chosen = form.querySelector("input[name=is_anonymous]:checked");
    identity.hidden = Boolean(chosen && chosen.value === "1");
  }
  form.querySelectorAll("input[name=is_anonymous]").forEach(function (radio) {
    radio.addEventListener("change", showIdentity);
  });
  if (identity) showIdentity();

  // --- the location from the browser, optional ---
  var locate = form.querySelector("[data-locate]");
  var lat = form.querySelector("input[name=latitude]");
  var lng = form.querySelector("input[name=longitude]");
  if (locate && navigator.geolocation) {
    var status = locate.querySelector("[data-locate-status]");
    var clear = locate.querySelector("[data-locate-clear]");
    var shown = function () {
      status.textContent = locate.dataset.located + " " + lat.value + ", " + lng.value;
      clear.hidden = false;
    };
    locate.hidden = false;
    if (lat.value && lng.value) shown();
    locate.querySelector("[data-locate-button]").addEventListener("click", function () {
      status.textContent = locate.dataset.locating;
      navigator.geolocation.getCurrentPosition(function (position) {
        lat.value = position.coords.latitude.toFixed(6);
        lng.value = position.coords.longitude.toFixed(6);
        shown();
      }, function () {
        status.textContent = locate.dataset.failed;
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
    clear.addEventListener("click", function () {
      lat.value = ""; lng.value = "";
      clear.hidden = true;
      status.textContent = "";
    });
  }

  // --- enterprise names suggested from the registry ---
  var list = document.getElementById("enterprise-suggestions");
  var input = form.querySelector("input[name=enterprise_name]");
  if (list && input && window.fetch) {
    var asked = {};
    var timer = null;
    var fill = function (names) {
      list.innerHTML = "";
      names.forEach(function (name) {
        var option = document.createElement("option");
        option.value = name;
        list.appendChild(option);
      });
    };
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < Number(list.dataset.min || 2)) return;
      if (asked[q]) { fill(asked[q]); return; }
      timer = setTimeout(function () {
        fetch(list.dataset.url + "?q=" + encodeURIComponent(q), { headers: { "Accept": "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { names: [] }; })
          .then(function (data) { asked[q] = data.names || []; fill(asked[q]); })
          .catch(function () { /* no suggestions: the name is typed in full */ });
      }, 400);
    });
  }

  // --- another CAPTCHA picture ---
  var refresh = form.querySelector("[data-captcha-refresh]");
  if (refresh && window.fetch) {
    refresh.hidden = false;
    refresh.addEventListener("click", function () {
      fetch(refresh.dataset.captchaRefresh, { headers: { "X-Requested-With": "XMLHttpRequest", "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          form.querySelector("[data-captcha-image]").src = data.image_url;
          form.querySelector("input[name=captcha_0]").value = data.key;
          var answer = form.querySelector("input[name=captcha_1]");
          answer.value = "";
          answer.focus();
        });
    });
  }
})();

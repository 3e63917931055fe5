// Search enterprises within the user's scope through the API and offer the matches in the <select>.
// Without JavaScript the select still works with the options the page came with.
(function () {
  "use strict";
  document.querySelectorAll("[data-enterprise-search]").forEach(function (input) {
    var select = document.getElementById(input.dataset.enterpriseSearch);
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (q.length < 1) { return; }
        fetch("/api/v1/enterprises/?page_size=30&q=" + encodeURIComponent(q), {
          credentials: "same-origin", headers: { "Accept": "application/json" }
        }).then(function (r) { return r.ok ? r.json() : { results: [] }; }).then(function (data) {
          select.innerHTML = "";
          if (input.dataset.anyLabel) {  // a filter: "any enterprise" stays a choice
            var any = document.createElement("option");
            any.value = ""; any.textContent = input.dataset.anyLabel;
            select.appendChild(any);
          }
          data.results.forEach(function (e) {
            var option = document.createElement("option");
            option.value = e.id;
            option.textContent = e.name + " · " + e.region_name;
            select.appendChild(option);
          });
          if (!data.results.length) {
            var none = document.createElement("option");
            none.value = ""; none.textContent = input.dataset.emptyText || "—";
            select.appendChild(none);
          }
          if (data.results.length) { select.value = String(data.results[0].id); }  // the best match, chosen
          select.dispatchEvent(new Event("change", { bubbles: true }));
        });
      }, 250);
    });
  });
})();

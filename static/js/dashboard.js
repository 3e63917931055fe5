// Loads the dashboard's side panels (campaign coverage, duty failures) after the page: the main figures come first.
document.querySelectorAll("[data-panel]").forEach((panel) => {
  fetch(panel.dataset.panel, { credentials: "same-origin" })
    .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
    .then((html) => { panel.innerHTML = html; })
    .catch(() => { panel.classList.add("panel-failed"); });
});

// Follows a background export: polls its status every two seconds until it is ready or failed.
(function () {
  const box = document.querySelector(".export[data-status]");
  if (!box) return;
  const bar = box.querySelector(".export-progress");
  const state = box.querySelector(".export-state");
  const count = box.querySelector(".export-count");
  const error = box.querySelector(".export-error");
  const link = box.querySelector(".export-download");
  function poll() {
    fetch(box.dataset.status, { credentials: "same-origin" })
      .then((response) => response.json())
      .then((job) => {
        bar.value = job.percent;
        bar.textContent = job.percent + "%";
        state.textContent = job.state_display;
        count.textContent = job.done + " / " + job.total;
        if (job.error) { error.textContent = job.error; error.hidden = false; }
        if (job.state === "done" && job.download) { link.hidden = false; return; }
        if (job.state !== "failed") setTimeout(poll, 2000);
      })
      .catch(() => setTimeout(poll, 5000));
  }
  poll();
})();

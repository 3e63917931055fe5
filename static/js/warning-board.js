// The live warning board: every few seconds it fetches the board's JSON (the page's data-board address) and redraws
// the figures, the regions, the measures and the posts from it. Text only (textContent), never HTML from the server.
"use strict";

(function () {
  var root = document.querySelector("[data-board]");
  if (!root) return;
  var label = root.dataset;
  var seconds = parseInt(root.dataset.interval, 10) || 5;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function figures(state) {
    root.querySelectorAll("[data-total]").forEach(function (node) {
      node.textContent = state.totals[node.dataset.total];
    });
    root.querySelector("[data-updated]").textContent = state.updated;
  }

  function regions(state) {
    var body = root.querySelector("[data-regions]");
    body.replaceChildren.apply(body, state.regions.map(function (r) {
      var row = el("tr");
      row.append(el("td", "", r.name), el("td", "", r.posts), el("td", "", r.in_time), el("td", "", r.late),
        el("td", r.silent ? "alert" : "", r.silent), el("td", "", r.pending), el("td", r.nobody ? "alert" : "", r.nobody));
      return row;
    }));
  }

  function measures(state) {
    var list = root.querySelector("[data-measures]");
    var items = state.measures.map(function (m) { return el("li", "tag", m.label + " × " + m.count); });
    if (!items.length) items = [el("li", "empty", list.dataset.none)];
    list.replaceChildren.apply(list, items);
  }

  function when(p) {
    var parts = [];
    if (p.answered_text) {
      parts.push(label.labelAnswered + " " + p.answered_text + (p.answered_by ? " " + label.labelBy + " " + p.answered_by : "") +
        " · " + p.minutes + " " + label.labelMinutes);
    } else if (p.silent_text) {
      parts.push(label.labelSilent + " " + p.silent_text);
    } else {
      parts.push(label.labelDue + " " + p.due_text);
    }
    if (p.passed_up_text) parts.push(label.labelPassed + " " + p.passed_up_text);
    return parts.join(" · ");
  }

  function post(p) {
    var item = el("li", "wb-post wb-" + p.state);
    item.dataset.post = p.post;
    item.append(el("span", "row-title", p.title), " ", el("span", "tag wb-state", p.state_label),
      el("div", "row-meta", p.unit + " · " + p.role_label), el("div", "row-meta wb-when", when(p)));
    if (p.measures.length || p.note) {
      var report = el("div", "wb-report");
      p.measures.forEach(function (m) { report.append(el("span", "tag", m.label), " "); });
      if (p.note) report.append(el("span", "wb-note", p.note));
      item.append(report);
    }
    return item;
  }

  function posts(state) {
    var list = root.querySelector("[data-posts]");
    if (!state.posts.length) return; // the empty line the page drew stays
    list.replaceChildren.apply(list, state.posts.map(post));
    var more = root.querySelector("[data-more]");
    more.hidden = !state.more;
    more.textContent = more.textContent.replace(/\d+/, state.more);
  }

  function refresh() {
    fetch(root.dataset.board, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (state) {
        figures(state);
        regions(state);
        measures(state);
        posts(state);
        root.classList.remove("wb-stale");
      })
      .catch(function () {
        root.classList.add("wb-stale"); // shown greyed; the next round tries again
      });
  }

  setInterval(refresh, seconds * 1000);
})();

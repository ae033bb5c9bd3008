// Small comforts on top of server-rendered pages; everything works without this file.
(function () {
  "use strict";

  // "/" focuses the search box; Esc in it clears it.
  document.addEventListener("keydown", function (event) {
    var search = document.querySelector("input[name=q]");
    if (!search) return;
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName) || document.activeElement.isContentEditable;
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      search.focus();
      search.select();
    } else if (event.key === "Escape" && document.activeElement === search) {
      search.value = "";
    }
  });

  // Copy buttons on the detail page.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.copy");
    if (!button || !navigator.clipboard) return;
    navigator.clipboard.writeText(button.dataset.copy).then(function () {
      var label = button.textContent;
      button.textContent = "copied";
      setTimeout(function () { button.textContent = label; }, 1200);
    });
  });

  // Theme toggle: remembers the choice.
  var toggle = document.getElementById("theme-toggle");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var next = document.documentElement.getAttribute("data-bs-theme") === "dark" ? "light" : "dark";
      document.documentElement.setAttribute("data-bs-theme", next);
      try { localStorage.setItem("switchboard-theme", next); } catch (e) { /* not remembered */ }
    });
  }

  // Filter checkboxes apply on change; the Apply button stays for keyboard and no-JS use.
  var filters = document.getElementById("filters");
  if (filters) {
    filters.addEventListener("change", function (event) {
      if (event.target.type === "checkbox") filters.requestSubmit();
    });
  }

  // Facet menus: the page carries a few values each; opening a menu fetches its most frequent
  // values under the current filters, and its search box finds the others (the server renders
  // the options, escaped, from dashboard/agents/views/lists.py facet_options).
  function loadFacet(button, search) {
    var menu = button.nextElementSibling;
    var target = menu && menu.querySelector(".facet-options");
    if (!target || !button.dataset.facetUrl) return;
    var query = new URLSearchParams(window.location.search);
    query.delete("page");
    if (search) query.set("facet_q", search);
    fetch(button.dataset.facetUrl + "?" + query.toString(), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null) target.innerHTML = html; })
      .catch(function () { /* the values the page came with stay */ });
  }
  document.addEventListener("show.bs.dropdown", function (event) {
    var button = event.target;
    if (button.dataset && button.dataset.facetUrl && !button.dataset.loaded) {
      button.dataset.loaded = "1";
      loadFacet(button, "");
    }
  });
  var searchTimer = null;
  document.addEventListener("input", function (event) {
    if (!event.target.classList.contains("facet-search")) return;
    var button = event.target.closest(".dropdown").querySelector("[data-facet-url]");
    clearTimeout(searchTimer);
    searchTimer = setTimeout(function () { loadFacet(button, event.target.value); }, 200);
  });
  document.addEventListener("keydown", function (event) {
    // Enter in a menu's search box finds values; it does not apply the filters.
    if (event.key === "Enter" && event.target.classList && event.target.classList.contains("facet-search")) {
      event.preventDefault();
    }
  });

  // Compare: the button says how many agents are ticked, and is usable for 2 to 4 of them.
  var compare = document.getElementById("compare-form");
  if (compare) {
    var button = document.getElementById("compare-button");
    var count = document.getElementById("compare-count");
    var min = Number(compare.dataset.min), max = Number(compare.dataset.max);
    var update = function () {
      var picked = document.querySelectorAll("input.compare-pick:checked").length;
      count.textContent = picked ? "(" + picked + ")" : "";
      button.disabled = picked < min || picked > max;
      button.title = picked > max ? "At most " + max + " agents compare side by side" : "Tick " + min + " to " + max + " agents in the table, then compare them side by side";
    };
    document.addEventListener("change", function (event) {
      if (event.target.classList.contains("compare-pick")) update();
    });
    update();
  }
})();

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
})();

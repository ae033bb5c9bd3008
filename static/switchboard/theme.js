// Applies the colour mode before the page paints: the saved choice, else the system setting.
(function () {
  var saved = null;
  try { saved = localStorage.getItem("switchboard-theme"); } catch (e) { /* storage may be blocked */ }
  var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  document.documentElement.setAttribute("data-bs-theme", saved || (dark ? "dark" : "light"));
})();

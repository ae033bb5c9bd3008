// Small comforts on top of server-rendered pages; everything works without this file, a little less
// smoothly (the server also redirects URLs with empty parameters, and compares the ticked agents).
(function () {
  "use strict";

  var FOCUS_KEY = "switchboard-focus";

  function $(selector, root) { return (root || document).querySelector(selector); }
  function $$(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }

  // "/" focuses the search box; Esc in it clears it.
  document.addEventListener("keydown", function (event) {
    var search = $("input[name=q]");
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

  // Copy buttons: they say "copied" for a moment, to the eye and to screen readers.
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

  // --- Forms that apply filters: no empty parameters, and focus back where it was -----------------

  // A GET form sends only the fields that say something: unfilled ones stay out of the URL (and so
  // out of bookmarks and share links). They are disabled while the form submits, enabled again
  // when the page comes back from the browser's cache.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    remember(form, event.submitter);
    if ((form.method || "get").toLowerCase() !== "get") return;
    $$("input, select, textarea", form).forEach(function (control) {
      if (control.name && !control.disabled && control.type !== "checkbox" && control.type !== "radio" && control.value === "") {
        control.disabled = true;
        control.dataset.droppedEmpty = "1";
      }
    });
  });
  window.addEventListener("pageshow", function () {
    $$("[data-dropped-empty]").forEach(function (control) {
      control.disabled = false;
      delete control.dataset.droppedEmpty;
    });
  });

  // The control that applied a form (the ticked box, the field Enter was pressed in, the button)
  // gets the focus back on the page that follows, its menu or panel opened again.
  function remember(form, submitter) {
    var active = form.contains(document.activeElement) ? document.activeElement : submitter;
    if (!active || !form.id) return;
    var mark = { path: location.pathname, form: form.id, id: active.id || "", name: active.name || "", value: active.value || "", box: active.type === "checkbox", at: Date.now() };
    try { sessionStorage.setItem(FOCUS_KEY, JSON.stringify(mark)); } catch (e) { /* focus not restored */ }
  }

  function remembered() {
    var mark = null;
    try {
      mark = JSON.parse(sessionStorage.getItem(FOCUS_KEY) || "null");
      sessionStorage.removeItem(FOCUS_KEY);
    } catch (e) { return null; }
    if (!mark || Date.now() - mark.at > 60000) return null;
    return mark;
  }

  function findControl(mark) {
    var form = document.getElementById(mark.form);
    if (!form) return null;
    if (mark.box) {
      var boxes = $$("input[type=checkbox]", form).concat($$('input[type=checkbox][form="' + mark.form + '"]'));
      for (var i = 0; i < boxes.length; i++) {
        if (boxes[i].name === mark.name && boxes[i].value === mark.value) return boxes[i];
      }
      return null;
    }
    return mark.id ? document.getElementById(mark.id) : null;
  }

  function reveal(control) {
    var menu = control.closest(".dropdown-menu");
    if (menu && window.bootstrap) {
      var opener = menu.parentElement.querySelector("[data-bs-toggle=dropdown]");
      if (opener) window.bootstrap.Dropdown.getOrCreateInstance(opener).show();
    }
    var panel = control.closest(".collapse");
    if (panel && !panel.classList.contains("show") && window.bootstrap) {
      window.bootstrap.Collapse.getOrCreateInstance(panel, { toggle: false }).show();
    }
  }

  function restoreFocus() {
    var mark = remembered();
    if (!mark || mark.path !== location.pathname) return;
    var control = findControl(mark);
    if (control) {
      reveal(control);
      control.focus();
      return;
    }
    // A value ticked off is no longer in the page: its menu fetches it.
    var opener = mark.box && document.getElementById("filter-" + mark.name);
    if (opener && window.bootstrap) {
      pendingFocus = mark;
      window.bootstrap.Dropdown.getOrCreateInstance(opener).show();
      opener.focus();
    }
  }
  var pendingFocus = null;

  // Filter and column checkboxes apply as they are ticked; Apply and "Show these" stay for no-JS use.
  ["filters", "column-form"].forEach(function (id) {
    var form = document.getElementById(id);
    if (!form) return;
    form.addEventListener("change", function (event) {
      if (event.target.type === "checkbox" && event.target.name) form.requestSubmit();
    });
  });

  // --- Menus ----------------------------------------------------------------------------------

  // Facet menus: the page carries the ticked values; opening a menu fetches its most frequent values
  // under the current filters, and its search box finds the others (the server renders the options,
  // escaped, from dashboard/agents/views/lists.py facet_options). Focus stays on the same value.
  function loadFacet(button, search) {
    var menu = button.nextElementSibling;
    var target = menu && $(".facet-options", menu);
    if (!target || !button.dataset.facetUrl) return;
    var query = new URLSearchParams(window.location.search);
    query.delete("page");
    query.delete("pick");
    if (search) query.set("facet_q", search);
    target.setAttribute("aria-busy", "true"); // its values are on their way
    fetch(button.dataset.facetUrl + "?" + query.toString(), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        target.removeAttribute("aria-busy");
        if (html === null) return;
        var focused = target.contains(document.activeElement) ? document.activeElement : null;
        var wanted = focused ? { name: focused.name, value: focused.value } : pendingFocus;
        var openedByKey = button.dataset.focusFirst && document.activeElement === button;
        delete button.dataset.focusFirst;
        target.innerHTML = html;
        if (wanted) {
          var again = $$("input[type=checkbox]", target).filter(function (box) { return box.name === wanted.name && box.value === wanted.value; })[0];
          if (again) again.focus();
          else if (focused) (firstControl(menu) || button).focus();
        } else if (openedByKey) {
          (firstControl(menu) || button).focus();
        }
        if (pendingFocus && pendingFocus.name === button.id.replace(/^filter-/, "")) pendingFocus = null;
      })
      .catch(function () { target.removeAttribute("aria-busy"); /* the values the page came with stay */ });
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

  // Arrow keys move through a menu of checkboxes (Bootstrap moves only through `.dropdown-item`s):
  // Down on its button opens it at the first control, Up at the last; Home and End jump. Listened
  // to on the window while capturing: Bootstrap's own handler stops the key at the document.
  function menuControls(menu) {
    return $$("input:not([type=hidden]):not(:disabled), button:not(:disabled), select:not(:disabled), a[href]", menu)
      .filter(function (control) { return control.offsetParent !== null; });
  }
  function firstControl(menu) { return menuControls(menu)[0]; }
  window.addEventListener("keydown", function (event) {
    if (["ArrowDown", "ArrowUp", "Home", "End"].indexOf(event.key) < 0 || event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    var opener = target.matches && target.matches("[data-bs-toggle=dropdown]") ? target : null;
    var menu = opener ? opener.nextElementSibling : target.closest && target.closest(".filter-menu");
    if (!menu || !menu.classList.contains("filter-menu")) return;
    if (opener) {
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
      event.preventDefault();
      if (window.bootstrap) window.bootstrap.Dropdown.getOrCreateInstance(opener).show();
    } else if (target.type === "search" && (event.key === "Home" || event.key === "End")) {
      return; // moving within the text
    } else {
      event.preventDefault();
    }
    var controls = menuControls(menu);
    if (opener && controls.filter(function (control) { return control.type === "checkbox"; }).length === 0) {
      opener.dataset.focusFirst = "1"; // its values are on their way: focus the first when they come
    }
    if (!controls.length) return;
    var at = controls.indexOf(document.activeElement);
    var next;
    if (event.key === "Home" || (opener && event.key === "ArrowDown")) next = 0;
    else if (event.key === "End" || (opener && event.key === "ArrowUp")) next = controls.length - 1;
    else if (event.key === "ArrowDown") next = Math.min(at + 1, controls.length - 1);
    else next = Math.max(at - 1, 0);
    controls[next].focus();
  }, true);
  document.addEventListener("keydown", function (event) {
    // Enter in a menu's search box finds values; it does not apply the filters.
    if (event.key === "Enter" && event.target.classList && event.target.classList.contains("facet-search")) {
      event.preventDefault();
    }
  });

  // --- The agent list ---------------------------------------------------------------------------

  // Each cell knows its column's name, which the cards below 576 px show above its value.
  $$("table.cards-sm").forEach(function (table) {
    if (!table.tHead || !table.tBodies.length) return;
    var labels = Array.prototype.map.call(table.tHead.rows[0].cells, function (cell) {
      return cell.textContent.replace(/[▲▼]/g, "").trim();
    });
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      Array.prototype.forEach.call(row.cells, function (cell, position) {
        if (labels[position] && !cell.classList.contains("select-cell") && !cell.querySelector(".agent-link")) {
          cell.dataset.label = labels[position];
        }
      });
    });
  });

  // A value cut short says all of itself on hover (and on keyboard focus the row wraps: the CSS).
  document.addEventListener("mouseover", function (event) {
    var cell = event.target.closest && event.target.closest(".agent-table td");
    if (!cell) return;
    [event.target.closest(".badge"), event.target.closest(".agent-link"), cell].some(function (element) {
      if (!element || !cell.contains(element) || element.scrollWidth <= element.clientWidth) return false;
      if (!element.title) element.title = element.textContent.replace(/\s+/g, " ").trim();
      return true;
    });
  });

  // Compare: the ticked agents stay picked across pages, sorts and filters, in the URL (`pick=`),
  // and "Compare (n)" opens them side by side; it asks for 2 to 4 in words, not in a tooltip.
  var compare = document.getElementById("compare-form");
  if (compare) {
    var button = document.getElementById("compare-button");
    var count = document.getElementById("compare-count");
    var hint = document.getElementById("compare-hint");
    var min = Number(compare.dataset.min), max = Number(compare.dataset.max);
    var withPicks = function (href, picks) {
      var url = new URL(href, location.href);
      url.searchParams.delete("pick");
      picks.forEach(function (pick) { url.searchParams.append("pick", pick); });
      return url.pathname + url.search + url.hash;
    };
    var hidden = function (form, name, value) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      form.appendChild(input);
    };
    var picked = function () {
      // The picks the page came with (those still in the data), then what is ticked here.
      var picks = $$("#filters input[name=pick]").map(function (input) { return input.value; });
      $$("input.compare-pick").forEach(function (box) {
        var at = picks.indexOf(box.value);
        if (box.checked && at < 0) picks.push(box.value);
        if (!box.checked && at >= 0) picks.splice(at, 1);
      });
      return picks;
    };
    var update = function () {
      var picks = picked();
      history.replaceState(history.state, "", withPicks(location.href, picks));
      $$("main a[href]").forEach(function (link) {
        var url = new URL(link.href, location.href);
        if (url.origin === location.origin && url.pathname === location.pathname && !link.hasAttribute("download")) {
          link.setAttribute("href", withPicks(link.href, picks));
        }
      });
      var filters = document.getElementById("filters");
      if (filters) {
        $$("input[name=pick]", filters).forEach(function (input) { input.remove(); });
        picks.forEach(function (pick) { hidden(filters, "pick", pick); });
      }
      var here = $$("input.compare-pick").map(function (box) { return box.value; });
      $$("input[type=hidden][name=id]", compare).forEach(function (input) { input.remove(); });
      picks.forEach(function (pick) { if (here.indexOf(pick) < 0) hidden(compare, "id", pick); });
      var next = $("#column-form input[name=next]");
      if (next) next.value = location.pathname + location.search;
      count.textContent = picks.length ? "(" + picks.length + ")" : "";
      var ready = picks.length >= min && picks.length <= max;
      if (ready) button.removeAttribute("aria-disabled");
      else button.setAttribute("aria-disabled", "true");
      hint.textContent = picks.length > max ? "at most " + max + " side by side: untick " + (picks.length - max)
        : ready ? picks.length + " picked" : "tick " + min + " to " + max + " agents";
    };
    document.addEventListener("change", function (event) {
      if (event.target.classList.contains("compare-pick")) update();
    });
    button.addEventListener("click", function (event) {
      if (button.getAttribute("aria-disabled") === "true") {
        event.preventDefault();
        hint.classList.add("fw-semibold");
      }
    });
    if (new URLSearchParams(location.search).getAll("pick").length || $$("input.compare-pick:checked").length) update();
  }

  // "Back to list" returns to the list exactly as it was left, picks included (they live in its URL).
  $$("a[data-back-to]").forEach(function (link) {
    if (!document.referrer) return;
    var from = new URL(document.referrer);
    if (from.searchParams.has("_export")) from.searchParams.delete("_export"); // the list, never a download of it
    if (from.origin === location.origin && from.pathname === link.dataset.backTo) link.href = from.pathname + from.search;
  });

  // --- Other pages ----------------------------------------------------------------------------

  // Changes: a preset period and From/To agree (choosing one clears the other).
  var changes = document.getElementById("change-filters");
  if (changes) {
    var period = changes.elements.period;
    var dates = [changes.elements.since, changes.elements.until];
    period.addEventListener("change", function () {
      if (period.value !== "custom") dates.forEach(function (input) { input.value = ""; });
    });
    dates.forEach(function (input) {
      input.addEventListener("input", function () {
        if (dates.some(function (date) { return date.value; })) period.value = "custom";
      });
    });
  }

  // No data yet: the page tries again on its own, counting down, and can be told to stop.
  var retry = document.getElementById("retry");
  if (retry) {
    var left = Number(retry.dataset.seconds) || 15;
    var shown = $("#retry-seconds", retry);
    var timer = null;
    var tick = function () {
      shown.textContent = String(left);
      if (left <= 0) { clearInterval(timer); location.reload(); }
      left -= 1;
    };
    retry.hidden = false;
    tick();
    timer = setInterval(tick, 1000);
    $("#retry-stop", retry).addEventListener("click", function () {
      clearInterval(timer);
      retry.textContent = "Stopped: use “Try again now” when you are ready.";
    });
  }

  restoreFocus();
})();

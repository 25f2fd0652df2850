// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Small screens: fold the navigation behind the Menu button.
  var toggle = document.querySelector(".nav-toggle");
  var nav = document.getElementById("site-nav");
  if (toggle && nav) {
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("is-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // A token shown once: a Copy button next to it (the field can also be selected by hand).
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        button.textContent = "Copied";
      }).catch(function () { field.select(); });
    });
  });

  // Code lookups for large reference kinds: suggest matching codes as the user types.
  var timer = null;
  document.querySelectorAll("input[data-lookup-path]").forEach(function (input) {
    var kindPath = input.getAttribute("data-lookup-path");
    if (!kindPath) { return; }
    var list = document.createElement("datalist");
    list.id = input.id + "-options";
    input.setAttribute("list", list.id);
    input.after(list);
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2) { return; }
      timer = window.setTimeout(function () {
        fetch(kindPath + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (matches) {
            list.replaceChildren();
            matches.forEach(function (m) {
              var option = document.createElement("option");
              option.value = m.code;
              option.label = m.name;
              list.appendChild(option);
            });
          })
          .catch(function () { /* suggestions are optional */ });
      }, 200);
    });
  });
})();

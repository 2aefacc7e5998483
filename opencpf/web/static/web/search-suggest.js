// Fills the search page's <datalist> suggestions (certifications, jobs, communes) as the person types.
(function () {
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var value = input.value.trim();
      if (value.length < 2 || !list) { return; }
      timer = setTimeout(function () {
        var url = input.dataset.suggest + (input.dataset.suggest.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(value);
        fetch(url, { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
          .then(function (data) {
            list.replaceChildren.apply(list, data.suggestions.map(function (s) {
              var o = document.createElement("option"); o.value = s; return o;
            }));
          })
          .catch(function () {});
      }, 150);
    });
  });
})();

// sankey.html: pick the fiscal year and budget kind; switch the language. Labels are already in the SVG.
(function () {
  "use strict";
  var select = document.getElementById("year"), button = document.getElementById("lang");
  var lang = "ja";
  function show(key) {
    Array.prototype.forEach.call(document.querySelectorAll(".sankey section"), function (s) {
      s.hidden = s.getAttribute("data-key") !== key;
    });
  }
  function setLang(l) {
    lang = l;
    document.body.className = "lang-" + l;
    document.documentElement.lang = l;
    button.textContent = l === "ja" ? "English" : "日本語";
    Array.prototype.forEach.call(select.options, function (o) { o.textContent = o.getAttribute("data-" + l); });
  }
  select.addEventListener("change", function () { show(select.value); });
  button.addEventListener("click", function () { setLang(lang === "ja" ? "en" : "ja"); });
  window.fundkg = { show: show, setLang: setLang, ready: true };
  show(select.value);
})();

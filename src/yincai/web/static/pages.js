/* Small behaviours of every page, bound by data- attributes: the Content-Security-Policy
   allows no inline script, event-handler attribute or style attribute.
   - <select data-autosubmit> submits its form when changed;
   - <select data-navigate="/path?"> goes to that path followed by the chosen option's value;
   - <img class="math" data-em="width height depth"> is sized in em and set on the baseline. */
(function () {
  "use strict";
  function isLocalPath(path) {
    return path.charAt(0) === "/" && path.charAt(1) !== "/" && path.charAt(1) !== "\\";
  }
  function sizeMaths(root) {
    root.querySelectorAll("img.math[data-em]").forEach(function (image) {
      var size = image.dataset.em.split(" ");
      image.style.width = size[0] + "em";
      image.style.height = size[1] + "em";
      image.style.verticalAlign = "-" + size[2] + "em";
    });
  }
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!(select instanceof HTMLSelectElement)) { return; }
    if (select.hasAttribute("data-autosubmit") && select.form) {
      select.form.submit();
    } else if (select.dataset.navigate && isLocalPath(select.dataset.navigate)) {
      window.location.assign(select.dataset.navigate + select.value);
    }
  });
  document.addEventListener("DOMContentLoaded", function () { sizeMaths(document); });
  document.addEventListener("htmx:afterSwap", function (event) { sizeMaths(event.target); });
}());

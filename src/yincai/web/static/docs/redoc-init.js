/* Start ReDoc on /redoc (a file, not an inline script: the Content-Security-Policy). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("redoc");
    window.Redoc.init(root.dataset.openapiUrl, {}, root);
  });
}());

/* Start Swagger UI on /docs (a file, not an inline script: the Content-Security-Policy).
   "Try it out" sends the page's CSRF token, so state-changing calls work with the session. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("swagger-ui");
    var token = document.querySelector("meta[name=csrf-token]").content;
    window.ui = window.SwaggerUIBundle({
      url: root.dataset.openapiUrl,
      dom_id: "#swagger-ui",
      layout: "BaseLayout",
      deepLinking: true,
      showExtensions: true,
      showCommonExtensions: true,
      validatorUrl: null, // the default would load a badge from validator.swagger.io
      presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIBundle.SwaggerUIStandalonePreset],
      requestInterceptor: function (request) {
        request.headers["X-CSRF-Token"] = token;
        return request;
      }
    });
  });
}());

// /docs: Swagger UI from the app's own files (no CDN). Requests it sends carry the page's
// X-CSRF-Token, so "Try it out" works for POST endpoints too.
(function () {
  "use strict";
  window.addEventListener("load", function () {
    var meta = document.querySelector('meta[name="csrf-token"]');
    var token = meta ? meta.content : "";
    window.ui = window.SwaggerUIBundle({
      url: document.body.dataset.openapi,
      dom_id: "#swagger-ui",
      layout: "BaseLayout",
      deepLinking: true,
      showExtensions: true,
      showCommonExtensions: true,
      validatorUrl: null,
      presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIBundle.SwaggerUIStandalonePreset],
      requestInterceptor: function (request) {
        request.headers["X-CSRF-Token"] = token;
        return request;
      }
    });
  });
})();

"use strict";
// Swagger UI over the public API's schema (templates/api/docs.html). A file, not an
// inline script, so the page needs no more than the site's `script-src 'self'`.
(function () {
  const root = document.getElementById("swagger-ui");
  SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    domNode: root,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // Reading only: "Try it out" must not file statements or look up receipts.
    supportedSubmitMethods: ["get"],
    // Its default would send our schema to validator.swagger.io.
    validatorUrl: null,
  });
})();

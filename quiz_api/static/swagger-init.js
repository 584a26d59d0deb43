// Swagger UI for /api/docs (quiz_api/apidocs.py), configured in this file rather than inline so the
// page needs no 'unsafe-inline' in its Content-Security-Policy. validatorUrl: null keeps Swagger UI
// from asking validator.swagger.io about our schema: no request leaves the origin.
const root = document.getElementById("swagger-ui");
window.ui = SwaggerUIBundle({
  url: root.dataset.openapiUrl,
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  validatorUrl: null,
  oauth2RedirectUrl: new URL(root.dataset.oauth2RedirectUrl, window.location.href).href,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});

/**
 * The API reference page at /api/docs: a small HTML page with its stylesheet
 * and script (api_docs_script.ts) served from strings, so it works offline
 * (plants have no CDN) and inside a compiled binary. The script renders
 * /api/openapi.json; the page has no inline script or style, so a strict
 * Content-Security-Policy (default-src 'self') allows it.
 */
import { API_DOCS_SCRIPT } from "./api_docs_script.ts";
import type { ApiApp } from "./context.ts";

/** Where the page is served. */
export const API_DOCS_PATH = "/api/docs";

/** The page's HTML. */
export const API_DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>JSScada API reference</title>
<link rel="stylesheet" href="docs/docs.css">
<script type="module" src="docs/docs.js"></script>
</head>
<body>
<header>
<h1>JSScada API reference</h1>
<p id="info">Loading openapi.json …</p>
<p>The machine-readable document: <a href="openapi.json">/api/openapi.json</a>.
Fields marked * are required.</p>
</header>
<nav id="toc"></nav>
<main id="operations"></main>
</body>
</html>
`;

/** The page's stylesheet. */
export const API_DOCS_CSS = `
body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1b1f24; background: #fafbfc; }
header, main, nav { max-width: 72rem; margin: 0 auto; padding: 0 1rem; }
header { padding-top: 1rem; }
nav { display: flex; flex-wrap: wrap; gap: .4rem 1rem; padding-bottom: .5rem; }
nav a { color: #0b5cad; }
h2 { border-bottom: 2px solid #d0d7de; padding-top: 1rem; }
.op { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: .2rem 1rem .8rem;
  margin: .8rem 0; }
.op h3 { font-size: 1rem; margin: .6rem 0; }
.method { display: inline-block; min-width: 4.2rem; text-align: center; border-radius: 4px;
  color: #fff; padding: .05rem .3rem; font-size: .85rem; }
.get { background: #1f6feb; } .post { background: #1a7f37; } .patch { background: #9a6700; }
.put { background: #8250df; } .delete { background: #cf222e; }
.summary { font-weight: normal; }
.access { color: #57606a; margin: .2rem 0; }
.muted { color: #57606a; font-size: .85rem; }
table { border-collapse: collapse; margin: .4rem 0; width: 100%; }
th, td { border: 1px solid #d0d7de; padding: .2rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
code { font-family: ui-monospace, monospace; font-size: .9em; }
.response { margin: .3rem 0; }
.status { display: inline-block; min-width: 2.5rem; }
.s2 { color: #1a7f37; } .s4 { color: #9a6700; } .s5 { color: #cf222e; }
details { margin: .2rem 0; } details > table { margin-left: 1rem; width: calc(100% - 1rem); }
`;

/** Serves the page, its stylesheet and its script on `app` (public, not in the OpenAPI document). */
export function registerApiDocs(app: ApiApp): void {
  app.get(API_DOCS_PATH, (c) => c.html(API_DOCS_HTML));
  // With a trailing slash the page's relative links would miss: send the browser to the real address.
  app.get(`${API_DOCS_PATH}/`, (c) => c.redirect(API_DOCS_PATH, 301));
  app.get(
    `${API_DOCS_PATH}/docs.css`,
    (c) => c.body(API_DOCS_CSS, 200, { "Content-Type": "text/css; charset=utf-8" }),
  );
  app.get(
    `${API_DOCS_PATH}/docs.js`,
    (c) => c.body(API_DOCS_SCRIPT, 200, { "Content-Type": "text/javascript; charset=utf-8" }),
  );
}

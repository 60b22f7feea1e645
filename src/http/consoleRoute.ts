// GET /console: the operator's supervision page. Its shell, style and script are real files in
// console/ (console.js is type-checked against the DOM by tsconfig.browser.json), read once when
// the router is built and served as one self-contained document (staticPage.ts). The script asks
// for the admin token once and calls the admin API with it, so the page itself needs no auth.
// A strict CSP (hash-pinned inline script and style, connect-src 'self') backs up the script's
// textContent-only rendering: nothing from the API is ever parsed as HTML.
import path from 'node:path';
import { Router } from 'express';
import { loadStaticPage } from './staticPage';

/** Where the page's files live; the Docker image copies src/ whole, so they ship beside this module. */
const consolePageDir = path.join(__dirname, 'console');

export function consoleRouter(): Router {
  const page = loadStaticPage(consolePageDir, 'console', ['img-src data:']);
  const router = Router();
  router.get('/console', (_req, res) => {
    res.set({
      'content-security-policy': page.contentSecurityPolicy,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    res.type('html').send(page.html);
  });
  return router;
}

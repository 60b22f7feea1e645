// A browser page kept as three real files beside its route (an HTML shell, one stylesheet, one
// classic script), made into one self-contained response at start-up: the shell's
// `<link rel="stylesheet" href="NAME.css">` and `<script src="NAME.js"></script>` are replaced by
// the files' text inline, and the Content-Security-Policy pins exactly those two texts by sha256.
// One response means no extra routes and no asset that could be served stale or from elsewhere;
// the pins mean no other inline script or style runs, even one injected into the page.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface StaticPage {
  /** The served document: the shell with the style and script inlined. */
  html: string;
  /** The inlined texts, byte for byte the files on disk. */
  style: string;
  script: string;
  contentSecurityPolicy: string;
}

/** A CSP source expression that allows exactly this inline text. */
export function sha256Source(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** The shell with `tag` (which must occur exactly once) replaced by `replacement`. */
function replaceOnce(shell: string, tag: string, replacement: string, file: string): string {
  const at = shell.indexOf(tag);
  assert.ok(at >= 0 && shell.indexOf(tag, at + 1) < 0, `${file} must contain ${tag} exactly once`);
  return shell.slice(0, at) + replacement + shell.slice(at + tag.length);
}

/**
 * Reads `dir/NAME.html`, `NAME.css` and `NAME.js` (synchronously: call it once at start-up, never per
 * request) and builds the page. `directives` follow the shared ones (default-src 'none', the two
 * hashes, connect-src 'self', no base, no form target, no framing).
 */
export function loadStaticPage(dir: string, name: string, directives: readonly string[] = []): StaticPage {
  const read = (file: string) => readFileSync(path.join(dir, file), 'utf8');
  const [shell, style, script] = [read(`${name}.html`), read(`${name}.css`), read(`${name}.js`)];
  // Inline, a closing tag inside the text would end the element early and run the rest as markup.
  assert.doesNotMatch(style, /<\/style/i, `${name}.css must not contain </style`);
  assert.doesNotMatch(script, /<\/script/i, `${name}.js must not contain </script`);
  const withStyle = replaceOnce(shell, `<link rel="stylesheet" href="${name}.css">`, `<style>${style}</style>`, `${name}.html`);
  const html = replaceOnce(withStyle, `<script src="${name}.js"></script>`, `<script>${script}</script>`, `${name}.html`);
  const contentSecurityPolicy = [
    "default-src 'none'",
    `script-src ${sha256Source(script)}`,
    `style-src ${sha256Source(style)}`,
    "connect-src 'self'",
    ...directives,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, style, script, contentSecurityPolicy };
}

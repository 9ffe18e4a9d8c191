/**
 * The security headers every page of the workbench is served with: by the app:// protocol in the
 * desktop app and by the browser-mode server. One list, so the two cannot drift apart.
 * No electron import: the browser-mode server and the tests use it too.
 */

/**
 * Content-Security-Policy. Scripts only from our own origin (no inline script, no eval); inline
 * styles are allowed because the chart and editor libraries set style attributes. Nothing may embed
 * the page, change its base URL, load plugins or submit forms anywhere.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

/** Headers set on every page and asset response (header names in lower case). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=(), hid=(), payment=()',
});

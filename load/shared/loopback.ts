// Load tools only ever target this machine: a mistyped --base-url must not send thousands of money
// movements to a shared or production service. This parses and checks a base URL once.
import { UsageError } from './argv';

/** Hosts accepted as loopback: localhost, 127.0.0.0/8 and IPv6 ::1 (URL keeps its brackets). */
export function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  const octets = hostname.split('.');
  return octets.length === 4 && octets[0] === '127' && octets.every((octet) => /^\d{1,3}$/.test(octet) && Number(octet) <= 255);
}

/** Returns the base URL without trailing slashes, or throws a UsageError naming the problem. */
export function parseLoopbackBaseUrl(flag: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (error) {
    throw new UsageError(`--${flag} is not a URL: "${raw}" (${(error as Error).message})`);
  }
  if (url.protocol !== 'http:') throw new UsageError(`--${flag} must use http:, got "${url.protocol}"`);
  if (!isLoopbackHost(url.hostname)) {
    throw new UsageError(`--${flag} host "${url.hostname}" is not loopback; load tools only target localhost, 127.x or [::1]`);
  }
  if (url.search !== '' || url.hash !== '') throw new UsageError(`--${flag} must not carry a query or fragment`);
  return url.toString().replace(/\/+$/, '');
}

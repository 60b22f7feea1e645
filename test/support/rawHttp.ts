// HTTP requests exactly as written: the path is sent unnormalised (fetch would resolve `..` and
// re-encode), headers may repeat (an array sends one line per value) and the body is raw bytes.
// For tests of hostile and malformed input.
import http from 'node:http';

export interface RawRequest {
  method: string;
  path: string;
  headers?: http.OutgoingHttpHeaders;
  body?: string | Buffer;
}

export interface RawResponse {
  status: number;
  contentType: string;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, or null when it is empty or not JSON. */
  json: Record<string, unknown> | null;
}

/** One request on its own connection (a refused upload must not poison a kept-alive socket). */
export function rawRequest(baseUrl: string, request: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const headers: http.OutgoingHttpHeaders = { ...request.headers };
  // Node frames a body with chunked encoding by default only for some methods (not GET or DELETE):
  // without a length the server would read the body as the next request.
  const framed = Object.keys(headers).some((name) => ['content-length', 'transfer-encoding'].includes(name.toLowerCase()));
  if (request.body !== undefined && !framed) headers['content-length'] = Buffer.byteLength(request.body);
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      { host: url.hostname, port: url.port, method: request.method, path: request.path, headers, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: response.statusCode ?? 0, contentType: response.headers['content-type'] ?? '', headers: response.headers, text, json: parseJson(text) });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

function parseJson(text: string): Record<string, unknown> | null {
  if (text === '') return null;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch (error) {
    // Not JSON is an answer the caller asserts on (a problem body must be JSON); the parse error itself says nothing more.
    if (error instanceof SyntaxError) return null;
    throw error;
  }
}

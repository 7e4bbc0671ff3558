/**
 * One HTTP request sent as written: node:http keeps the path's `..` and odd encodings that fetch
 * would normalise, and any header or body, each on a connection of its own (as a hostile client
 * would send it). Resolves with the status (0 when the connection failed).
 */
import http from 'node:http';

export function rawRequest(
  baseUrl: string,
  request: { method: string; path: string; headers: Record<string, string>; body?: string | Buffer | null },
): Promise<{ status: number; error?: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve) => {
    const req = http.request(
      { agent: false, host: hostname, port, method: request.method, path: request.path, headers: request.headers, timeout: 30_000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
        res.on('error', (err) => resolve({ status: res.statusCode ?? 0, error: err.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    // A server may answer 413 and close before reading a huge body: the status already came back, or this is a reset.
    req.on('error', (err) => resolve({ status: 0, error: err.message }));
    req.end(request.body ?? undefined);
  });
}

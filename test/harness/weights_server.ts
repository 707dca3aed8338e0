/**
 * Two local HTTP servers that behave like the hosts of the pretrained weights: files served with
 * Range support and CORS headers; hub-style `resolve/` URLs answered by a 302 to the second origin
 * (as the Hugging Face hub redirects to its CDN); and misbehaving paths for the failure tests.
 * Every request and every byte sent is counted per path.
 *
 *   /files/NAME                      the file, Range honoured (206 / 416)
 *   /resolve/NAME                    302 → <other origin>/files/NAME
 *   /norange/NAME                    the whole file with 200 whatever the Range header says
 *   /drop/NAME                       Range honoured, but the connection is cut after half the bytes
 *   /html/NAME                       an HTML error page with status 200
 *   /loop/NAME                       302 to itself, forever
 *   anything else                    404
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface ServedStats {
  requests: number;
  bytes: number;
  /** The Range header of each request ('' when none). */
  ranges: string[];
}

export interface WeightsServers {
  /** The first origin, e.g. http://127.0.0.1:PORT */
  origin: string;
  /** The second origin (redirect target). */
  cdn: string;
  /** Per file name (all paths together). */
  stats(name: string): ServedStats;
  totalRequests(): number;
  reset(): void;
  close(): Promise<void>;
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'range',
  'access-control-expose-headers': 'content-range, content-length, accept-ranges',
};

function readRange(path: string, start: number, end: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(end - start);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, start + got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** Send [start, end) of the file in 1 MB chunks (respecting backpressure); `cutAt` ends the socket early. */
async function sendFile(res: ServerResponse, path: string, start: number, end: number, count: (n: number) => void, cutAt = Infinity): Promise<void> {
  for (let p = start; p < end; p += 1 << 20) {
    if (res.destroyed) return;
    const chunk = readRange(path, p, Math.min(end, p + (1 << 20)));
    if (p - start + chunk.length > cutAt) {
      const part = chunk.subarray(0, Math.max(0, cutAt - (p - start)));
      count(part.length);
      res.write(part);
      await new Promise((r) => setTimeout(r, 50));
      res.socket?.destroy();
      return;
    }
    count(chunk.length);
    if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
  }
  res.end();
}

export async function startWeightsServers(dir: string): Promise<WeightsServers> {
  const stats = new Map<string, ServedStats>();
  const stat = (name: string) => {
    if (!stats.has(name)) stats.set(name, { requests: 0, bytes: 0, ranges: [] });
    return stats.get(name)!;
  };
  let other = '';
  let self = '';
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...CORS, 'access-control-allow-methods': 'GET, HEAD' }).end();
      return;
    }
    const m = /^\/(files|resolve|norange|drop|html|loop)\/([\w.-]+)$/.exec((req.url ?? '').split('?')[0]);
    if (!m) {
      res.writeHead(404, { ...CORS, 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const [, kind, name] = m;
    const s = stat(name);
    s.requests++;
    s.ranges.push(String(req.headers.range ?? ''));
    if (kind === 'resolve') return void res.writeHead(302, { ...CORS, location: `${other}/files/${name}` }).end();
    if (kind === 'loop') return void res.writeHead(302, { ...CORS, location: `${self}/loop/${name}` }).end();
    if (kind === 'html') return void res.writeHead(200, { ...CORS, 'content-type': 'text/html' }).end('<!doctype html><title>Error</title><h1>Something went wrong</h1>');
    const path = join(dir, name);
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      return void res.writeHead(404, { ...CORS, 'content-type': 'text/plain' }).end('not found');
    }
    const count = (n: number) => (s.bytes += n);
    const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? ''));
    if (!range || kind === 'norange') {
      res.writeHead(200, { ...CORS, 'content-type': 'application/octet-stream', 'content-length': size, 'accept-ranges': kind === 'norange' ? 'none' : 'bytes' });
      void sendFile(res, path, 0, size, count, kind === 'drop' ? size / 2 : Infinity);
      return;
    }
    let start: number, end: number;
    if (range[1] === '') {
      start = Math.max(0, size - Number(range[2]));
      end = size;
    } else {
      start = Number(range[1]);
      end = range[2] === '' ? size : Math.min(size, Number(range[2]) + 1);
    }
    if (start >= size) return void res.writeHead(416, { ...CORS, 'content-range': `bytes */${size}` }).end();
    res.writeHead(206, { ...CORS, 'content-type': 'application/octet-stream', 'content-length': end - start, 'content-range': `bytes ${start}-${end - 1}/${size}`, 'accept-ranges': 'bytes' });
    void sendFile(res, path, start, end, count, kind === 'drop' ? (end - start) / 2 : Infinity);
  };
  const listen = async (): Promise<[Server, string]> => {
    const server = createServer(handler);
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    return [server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`];
  };
  const [a, originA] = await listen();
  // the second origin is "localhost" so that the browser treats it as another site too
  const [b, portB] = await listen();
  const originB = portB.replace('127.0.0.1', 'localhost');
  self = originA;
  other = originB;
  return {
    origin: originA,
    cdn: originB,
    stats: (name) => stat(name),
    totalRequests: () => [...stats.values()].reduce((x, s) => x + s.requests, 0),
    reset: () => stats.clear(),
    close: async () => {
      for (const s of [a, b]) {
        s.closeAllConnections();
        await new Promise((r) => s.close(r));
      }
    },
  };
}

/**
 * A fault-injecting HTTP proxy in front of moto for the AWS JSON protocols (Glue, Athena): requests
 * are recorded by their `X-Amz-Target` (`AWSGlue.GetTable`), and a queue of faults per target is
 * answered instead of forwarding (throttling, 5xx), so a test can prove that clients retry.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** An error response to inject. */
export interface Fault {
  /** HTTP status (400 for throttling, 500/503 for server errors). */
  status: number;
  /** The error code (`ThrottlingException`, `ServiceUnavailableException`, ...). */
  code: string;
}

/** A running proxy. */
export interface FaultProxy {
  /** `http://127.0.0.1:<port>`, to use as a client endpoint. */
  endpoint: string;
  /** Targets of every request received, in order. */
  requests: string[];
  /** Answer the next `faults.length` requests for `target` with these faults, in order. */
  inject(target: string, faults: Fault[]): void;
  /** How many requests for `target` were received. */
  count(target: string): number;
  /** Stop listening. */
  close(): Promise<void>;
}

/** Start a proxy forwarding to `upstream` (default: the moto endpoint of the jest global setup). */
export async function startFaultProxy(upstream = process.env.AWS_ENDPOINT_URL): Promise<FaultProxy> {
  if (!upstream) throw new Error('no upstream: is the jest global setup (moto) running?');
  const target = new URL(upstream);
  const queues = new Map<string, Fault[]>();
  const requests: string[] = [];

  const handle = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const name = String(req.headers['x-amz-target'] ?? `${req.method} ${req.url}`);
    requests.push(name);
    const fault = queues.get(name)?.shift();
    if (fault) {
      const payload = JSON.stringify({ __type: fault.code, message: `injected ${fault.code}` });
      res.writeHead(fault.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': fault.code, 'content-length': Buffer.byteLength(payload) });
      res.end(payload);
      return;
    }
    const forward = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    forward.on('error', (err) => {
      res.writeHead(502);
      res.end(String(err));
    });
    forward.end(body);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    inject(name, faults) {
      queues.set(name, [...(queues.get(name) ?? []), ...faults]);
    },
    count(name) {
      return requests.filter((r) => r === name).length;
    },
    close() {
      return new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

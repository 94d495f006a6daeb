/**
 * One TCP port for HTTP/1.1 and cleartext HTTP/2 (prior knowledge). The AWS SDK's Kinesis
 * client speaks h2c by default and fails against an HTTP/1.1-only server, while the aws CLI and
 * most SDKs speak HTTP/1.1; Node's `http2.createServer({ allowHTTP1 })` only falls back under
 * TLS. So a net server reads the first bytes: the HTTP/2 connection preface goes to an http2
 * server, anything else to an http server.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  createServer as createHttp2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type Http2Session,
} from 'node:http2';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';

export type AnyRequest = IncomingMessage | Http2ServerRequest;
export type AnyResponse = ServerResponse | Http2ServerResponse;
export type RequestHandler = (req: AnyRequest, res: AnyResponse) => void;

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
/**
 * HTTP/2 flow-control window for request bodies, per stream and per connection. With HTTP/2's
 * default 64 KB a PutRecords of 500 x 100 B (about 90 KB of JSON) waits a round trip for a
 * WINDOW_UPDATE mid-body; bodies are still bounded by each service's limit as they are read.
 */
const RECEIVE_WINDOW = 4 * 1024 * 1024;
/**
 * How long an idle HTTP/1.1 keep-alive connection stays open. Node's default (5 s) is shorter
 * than the idle time of common clients' pools (the SDKs' agents keep sockets with no idle
 * limit), so a client could send on a connection the server was closing at that moment and get
 * ECONNRESET with no reply. Servers behind AWS's load balancers keep 60 s; a little more here, so
 * the client's side always gives up first. `close()` ends idle connections at once regardless.
 */
const KEEP_ALIVE_MS = 65_000;

/** The dual-protocol listener and what `close()` needs to end its connections. */
export class DualListener {
  readonly #net: NetServer;
  readonly #http1 = createHttpServer();
  readonly #http2 = createHttp2Server({ settings: { initialWindowSize: RECEIVE_WINDOW } });
  readonly #sockets = new Set<Socket>();
  readonly #sessions = new Set<Http2Session>();

  constructor(handler: RequestHandler) {
    this.#http1.keepAliveTimeout = KEEP_ALIVE_MS;
    this.#http1.on('request', handler);
    this.#http2.on('request', handler);
    this.#http2.on('session', (session: Http2Session) => {
      session.setLocalWindowSize(RECEIVE_WINDOW);
      this.#sessions.add(session);
      session.on('close', () => this.#sessions.delete(session));
    });
    this.#net = createNetServer((socket) => this.#accept(socket));
  }

  #accept(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let head: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      const seen = Math.min(head.length, PREFACE.length);
      const isH2Prefix = head.subarray(0, seen).equals(PREFACE.subarray(0, seen));
      if (isH2Prefix && head.length < PREFACE.length) return;
      socket.off('data', onData);
      socket.pause();
      // Both servers take the socket itself with its first bytes put back: the HTTP/2 session
      // reads what is buffered in the socket before its handle (Node's fix for
      // nodejs/node#35475), and a socket wrapped in a JS Duplex instead would pass every byte
      // of the connection through JavaScript.
      socket.unshift(head);
      if (isH2Prefix) {
        this.#http2.emit('connection', socket);
      } else {
        this.#http1.emit('connection', socket);
        socket.resume();
      }
    };
    socket.on('data', onData);
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#net.once('error', reject);
      this.#net.listen(port, host, () => {
        this.#net.off('error', reject);
        const address = this.#net.address();
        resolve(typeof address === 'object' && address !== null ? address.port : port);
      });
    });
  }

  /**
   * Stops accepting, lets requests in flight finish (up to `graceMs`), then ends every
   * connection.
   */
  async close(graceMs: number, inFlight: () => Promise<void>): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#net.close(() => resolve()));
    for (const session of this.#sessions) session.close();
    this.#http1.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([inFlight(), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    for (const socket of this.#sockets) socket.destroy();
    for (const session of this.#sessions) session.destroy();
    await closed;
  }
}

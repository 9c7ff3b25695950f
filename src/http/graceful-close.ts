// Stops an HTTP server without breaking requests in flight.
//
// Node's server.close() stops accepting and drops idle keep-alive connections, but a connection
// that is busy stays open after its response (keep-alive) until keepAliveTimeout, and
// closeAllConnections() resets requests mid-way. So connections and their requests are tracked
// here: on drain, idle connections close at once, every response still to be sent carries
// `Connection: close` (Node then closes the connection after it), a connection whose last request
// finishes is ended, and whatever is still running when the deadline passes is cut.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface DrainResult {
  /** Requests still unanswered when the deadline passed (or a cut was asked for), and cut. */
  cut: number;
}

export interface ConnectionTracker {
  /** True from the moment drain() is called: readiness answers 503. */
  readonly draining: boolean;
  /**
   * Stops accepting connections, lets the requests in flight finish for up to `timeoutMs`, then
   * cuts what is left. Resolves once every connection is closed.
   */
  drain(timeoutMs: number): Promise<DrainResult>;
  /** Ends the wait of a running drain now (a second signal): what is in flight is cut. */
  cutNow(): void;
}

export function trackConnections(server: Server): ConnectionTracker {
  /** Every open connection, with the number of its requests not yet answered. */
  const connections = new Map<Socket, number>();
  const pending = new Set<ServerResponse>();
  let draining = false;
  let allAnswered: (() => void) | undefined;

  server.on('connection', (socket: Socket) => {
    // A connection the kernel had already queued when the listener closed.
    if (draining) {
      socket.destroy();
      return;
    }
    connections.set(socket, 0);
    socket.once('close', () => connections.delete(socket));
  });

  // Registered before the app's listener, so the header is set before any middleware runs.
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const { socket } = req;
    connections.set(socket, (connections.get(socket) ?? 0) + 1);
    pending.add(res);
    if (draining) res.setHeader('Connection', 'close');
    // 'close' follows 'finish', or an aborted connection: either way the request is over.
    res.once('close', () => {
      pending.delete(res);
      const left = (connections.get(socket) ?? 1) - 1;
      if (connections.has(socket)) connections.set(socket, left);
      if (!draining) return;
      // Connection: close normally ends it; this covers a handler that removed the header.
      if (left === 0 && !socket.destroyed) socket.end();
      if (pending.size === 0) allAnswered?.();
    });
  });

  return {
    get draining() {
      return draining;
    },

    async drain(timeoutMs) {
      if (draining) throw new Error('already draining');
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const res of pending) if (!res.headersSent) res.setHeader('Connection', 'close');
      for (const [socket, inFlight] of connections) if (inFlight === 0) socket.destroy();

      let timer: NodeJS.Timeout | undefined;
      if (pending.size > 0) {
        await new Promise<void>((resolve) => {
          allAnswered = resolve;
          timer = setTimeout(resolve, timeoutMs);
        });
      }
      clearTimeout(timer);
      const cut = pending.size;
      for (const socket of connections.keys()) socket.destroy();
      server.closeAllConnections();
      await closed;
      return { cut };
    },

    cutNow() {
      allAnswered?.();
    },
  };
}

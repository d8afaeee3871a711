import type { Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { BOT_USER } from './fake-rest.js';

/** Gateway opcodes: https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway-gateway-opcodes */
const OP = { dispatch: 0, heartbeat: 1, identify: 2, resume: 6, hello: 10, heartbeatAck: 11 } as const;

/** A frame the fake received from a client. */
export interface GatewayFrame {
  op: number;
  d: unknown;
}

/**
 * The gateway handshake discord.js 14 needs (PLATFORM-NOTES §2.3): HELLO on connect, READY after IDENTIFY
 * (with `guilds: []` so the client is ready at once), ACK for each heartbeat; then dispatches on demand.
 * JSON text frames only: discord.js uses zlib-stream only when the optional `zlib-sync` is installed.
 */
export class FakeGateway {
  readonly received: GatewayFrame[] = [];
  private readonly wss: WebSocketServer;
  private readonly identified = new Set<WebSocket>();
  private readonly identifyWaiters: (() => void)[] = [];
  private sequence = 1;

  constructor(
    server: Server,
    private readonly url: () => string,
    private readonly applicationId: string,
    private readonly heartbeatIntervalMs = 41_250,
  ) {
    this.wss = new WebSocketServer({ server });
    this.wss.on('connection', (socket) => this.accept(socket));
  }

  /** Resolves once a client has identified and been sent READY. */
  whenIdentified(): Promise<void> {
    if (this.identified.size > 0) return Promise.resolve();
    return new Promise((resolve) => this.identifyWaiters.push(resolve));
  }

  /** Sends a dispatch (`op 0`) to every identified client, e.g. `INTERACTION_CREATE`. */
  dispatch(event: string, data: unknown): void {
    this.sequence += 1;
    const frame = JSON.stringify({ op: OP.dispatch, t: event, s: this.sequence, d: data });
    for (const socket of this.identified) socket.send(frame);
  }

  /** Closes every connection and the WebSocket server (the HTTP server is closed by its owner). */
  async close(): Promise<void> {
    for (const socket of this.wss.clients) socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(socket: WebSocket): void {
    // Discord's usual interval by default; the client's first heartbeat comes after interval × random().
    socket.send(JSON.stringify({ op: OP.hello, d: { heartbeat_interval: this.heartbeatIntervalMs } }));
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as GatewayFrame;
      this.received.push(frame);
      if (frame.op === OP.heartbeat) socket.send(JSON.stringify({ op: OP.heartbeatAck }));
      if (frame.op === OP.identify) this.ready(socket);
    });
    socket.on('close', () => this.identified.delete(socket));
  }

  private ready(socket: WebSocket): void {
    socket.send(
      JSON.stringify({
        op: OP.dispatch,
        t: 'READY',
        s: 1,
        d: {
          v: 10,
          user: BOT_USER,
          guilds: [],
          session_id: 'fake-session',
          resume_gateway_url: this.url(),
          application: { id: this.applicationId, flags: 0 },
        },
      }),
    );
    this.identified.add(socket);
    for (const resolve of this.identifyWaiters.splice(0)) resolve();
  }
}

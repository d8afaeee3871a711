import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

/** An acknowledgement the app sent back over the socket. */
export interface SocketAck {
  envelope_id: string;
  payload?: Record<string, unknown>;
}

/**
 * Slack's side of Socket Mode: the app calls `apps.connections.open`, connects to the URL it got, Slack says
 * `hello`, then sends envelopes the app must acknowledge with their `envelope_id`.
 * https://docs.slack.dev/apis/events-api/using-socket-mode
 */
export class FakeSocketMode {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sockets = new Set<WebSocket>();
  private readonly acks: SocketAck[] = [];
  private readonly waiters: Array<() => void> = [];
  private readonly connectWaiters: Array<() => void> = [];

  /** Serves upgrades on `/socket` of the fake's HTTP server. */
  attach(server: Server): void {
    server.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith('/socket')) return void socket.destroy();
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    });
  }

  /** Resolves once an app is connected and greeted. */
  async connected(): Promise<void> {
    if (this.sockets.size > 0) return;
    await new Promise<void>((resolve) => this.connectWaiters.push(resolve));
  }

  /** Sends an envelope (`slash_commands`, `events_api`, …) and resolves with the app's acknowledgement. */
  async send(type: string, payload: Record<string, unknown>): Promise<SocketAck> {
    const envelopeId = randomUUID();
    const message = JSON.stringify({
      envelope_id: envelopeId,
      type,
      payload,
      accepts_response_payload: type !== 'events_api',
    });
    for (const ws of this.sockets) ws.send(message);
    for (;;) {
      const ack = this.acks.find((candidate) => candidate.envelope_id === envelopeId);
      if (ack) return ack;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  close(): void {
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
  }

  private accept(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    ws.on('message', (data) => {
      this.acks.push(JSON.parse(String(data)) as SocketAck);
      for (const wake of this.waiters.splice(0)) wake();
    });
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0FAKE' } }));
    for (const wake of this.connectWaiters.splice(0)) wake();
  }
}

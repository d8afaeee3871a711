// A Redis Sentinel that the test steers: it names whichever primary the test says, can hold its answers to
// "where is the primary?" (a sentinel slow to answer, as on a loaded machine), and announces a failover
// (`+switch-master`) on cue. It speaks just enough RESP2 for ioredis's SentinelConnector and its failover
// detector: SENTINEL GET-MASTER-ADDR-BY-NAME / SENTINELS, SUBSCRIBE, CLIENT, PING, QUIT.
// https://redis.io/docs/latest/develop/reference/sentinel-clients/
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** A Redis node's address, as a sentinel names it. */
export interface NodeAddress {
  host: string;
  port: number;
}

const bulk = (value: string) => `$${Buffer.byteLength(value)}\r\n${value}\r\n`;
const array = (values: string[]) => `*${values.length}\r\n${values.map(bulk).join('')}`;

/** Splits complete RESP arrays of bulk strings off `buffer`; returns the commands and what is left. */
function parseCommands(buffer: Buffer): { commands: string[][]; rest: Buffer } {
  const commands: string[][] = [];
  let at = 0;
  for (;;) {
    const parsed = parseOne(buffer, at);
    if (!parsed) break;
    commands.push(parsed.args);
    at = parsed.end;
  }
  return { commands, rest: buffer.subarray(at) };
}

function parseOne(buffer: Buffer, start: number): { args: string[]; end: number } | null {
  const line = (from: number) => {
    const end = buffer.indexOf('\r\n', from);
    return end < 0 ? null : { text: buffer.toString('utf8', from, end), next: end + 2 };
  };
  const header = line(start);
  if (!header?.text.startsWith('*')) return null;
  const args: string[] = [];
  let at = header.next;
  for (let i = 0; i < Number(header.text.slice(1)); i++) {
    const size = line(at);
    if (!size?.text.startsWith('$')) return null;
    const length = Number(size.text.slice(1));
    if (buffer.length < size.next + length + 2) return null;
    args.push(buffer.toString('utf8', size.next, size.next + length));
    at = size.next + length + 2;
  }
  return { args, end: at };
}

/** The steerable sentinel; `start()` listens on a free loopback port. */
export class FakeSentinel {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly subscribed = new Set<Socket>();
  private readonly waiting: Socket[] = [];
  private holding = false;
  /** How many times a client asked where the primary is. */
  asked = 0;

  constructor(
    readonly name: string,
    private primary: NodeAddress,
  ) {}

  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  /** Connections subscribed to `+switch-master` (ioredis's failover detectors). */
  get subscribers(): number {
    return this.subscribed.size;
  }

  /** Questions about the primary that are being held unanswered. */
  get held(): number {
    return this.waiting.length;
  }

  async start(): Promise<void> {
    this.server = createServer((socket) => this.serve(socket));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  /** From now on, questions about the primary wait until `answerHeld()`. */
  hold(): void {
    this.holding = true;
  }

  /** Answers every held question with the current primary and stops holding. */
  answerHeld(): void {
    this.holding = false;
    for (const socket of this.waiting.splice(0)) this.answer(socket);
  }

  /** Names `next` as the primary from now on and announces the switch to every subscriber. */
  switchTo(next: NodeAddress): void {
    const old = this.primary;
    this.primary = next;
    const payload = `${this.name} ${old.host} ${old.port} ${next.host} ${next.port}`;
    for (const socket of this.subscribed) socket.write(array(['message', '+switch-master', payload]));
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      const { commands, rest } = parseCommands(Buffer.concat([pending, chunk]));
      pending = rest;
      for (const command of commands) this.run(socket, command);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.subscribed.delete(socket);
      const waiting = this.waiting.indexOf(socket);
      if (waiting >= 0) this.waiting.splice(waiting, 1);
    });
  }

  private run(socket: Socket, [command = '', sub = '', ...args]: string[]): void {
    const verb = command.toLowerCase();
    if (verb === 'sentinel' && sub.toLowerCase() === 'get-master-addr-by-name' && args[0] === this.name) {
      this.asked++;
      if (this.holding) this.waiting.push(socket);
      else this.answer(socket);
    } else if (verb === 'sentinel' && sub.toLowerCase() === 'sentinels') socket.write('*0\r\n');
    else if (verb === 'subscribe') {
      this.subscribed.add(socket);
      socket.write(`*3\r\n${bulk('subscribe')}${bulk(sub)}:1\r\n`);
    } else if (verb === 'client') socket.write('+OK\r\n');
    else if (verb === 'ping') socket.write('+PONG\r\n');
    else if (verb === 'quit') socket.end('+OK\r\n');
    else socket.write(`-ERR unknown command '${command}'\r\n`);
  }

  private answer(socket: Socket): void {
    if (!socket.destroyed) socket.write(array([this.primary.host, String(this.primary.port)]));
  }
}

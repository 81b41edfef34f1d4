import { Client } from 'pg';

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 30_000;

export type PgListenerOptions = {
  url: string | undefined;
  channel: string;
  /** Shown in pg_stat_activity, so that an operator (or a test) can tell whose listener it is. */
  applicationName: string;
};

export type PgListenerEvents = {
  notification: () => void;
  /** The connection listens; `again` after an outage. What was announced while nobody listened is unknown. */
  listening: (again: boolean) => void;
  /** The connection failed or ended; `first` for the first failure of an outage (log it once). */
  lost: (error: Error | undefined, first: boolean) => void;
};

/**
 * `LISTEN channel` on a connection of its own, reconnecting with back-off (0.5 s doubling to 30 s) until
 * `stop()`: the token cache's (auth_changed) and the webhook worker's (webhook_deliveries).
 */
export class PgListener {
  private client: Client | null = null;
  private stopped = false;
  private reconnectDelayMs = RECONNECT_MIN_MS;
  private reconnectTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly options: PgListenerOptions,
    private readonly events: PgListenerEvents,
  ) {}

  async start(): Promise<void> {
    const client = new Client({
      connectionString: this.options.url,
      application_name: this.options.applicationName,
    });
    this.client = client;
    client.on('notification', () => this.events.notification());
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${this.options.channel}`);
    } catch (error) {
      this.lost(client, error as Error);
      return;
    }
    if (this.stopped || this.client !== client) {
      await client.end().catch(() => undefined);
      return;
    }
    const again = this.reconnectDelayMs > RECONNECT_MIN_MS;
    this.reconnectDelayMs = RECONNECT_MIN_MS;
    this.events.listening(again);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private lost(client: Client, error?: Error): void {
    if (this.client !== client) return;
    this.client = null;
    client.removeAllListeners('end');
    client.on('error', () => undefined);
    client.end().catch(() => undefined);
    if (this.stopped) return;
    this.events.lost(error, this.reconnectDelayMs === RECONNECT_MIN_MS);
    const delay = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, RECONNECT_MAX_MS);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.start();
    }, delay);
    this.reconnectTimer.unref();
  }
}

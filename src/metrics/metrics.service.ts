import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';

type Series = {
  requests: ReturnType<Counter<'method' | 'route' | 'status'>['labels']>;
  duration: ReturnType<Histogram<'method' | 'route' | 'status'>['labels']>;
};

type PgPool = { totalCount: number; idleCount: number; waitingCount: number; options?: { max?: number } };

/** One registry per application instance (tests boot several in one process). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly seriesByLabels = new Map<string, Series>();

  readonly requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  /** Optimistic ticket writes that lost a race: read and tried again, or the last one, after which it locked. */
  readonly writeRaces = new Counter({
    name: 'ticket_write_races_total',
    help: 'Optimistic ticket writes that found the ticket changed since the read, by what followed',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor(@InjectDataSource() dataSource: DataSource) {
    collectDefaultMetrics({ register: this.registry });
    const pool = (): PgPool | undefined => (dataSource.driver as unknown as { master?: PgPool }).master;
    const gauge = (name: string, help: string, read: (p: PgPool) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          const current = pool();
          this.set(current ? read(current) : 0);
        },
      });
    gauge('db_pool_connections', 'Connections open in the PostgreSQL pool', (p) => p.totalCount);
    gauge('db_pool_idle_connections', 'Idle connections in the PostgreSQL pool', (p) => p.idleCount);
    gauge('db_pool_waiting_requests', 'Queries waiting for a pool connection', (p) => p.waitingCount);
    gauge('db_pool_max_connections', 'Configured size of the PostgreSQL pool', (p) => p.options?.max ?? 0);
  }

  /** An answer given outside Fastify (node:http's parser): counted, but with no start time to time it. */
  count(method: string, route: string, status: number): void {
    this.series(method, route, status).requests.inc();
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    const series = this.series(method, route, status);
    series.requests.inc();
    series.duration.observe(seconds);
  }

  /**
   * The counter's and the histogram's series for one label set, looked up once: prom-client otherwise
   * validates and hashes the label object on every call. Bounded: methods are node:http's, routes the patterns
   * (or `unmatched`, `(unrouted)`), statuses three digits.
   */
  private series(method: string, route: string, status: number): Series {
    const key = `${method} ${route} ${status}`;
    let series = this.seriesByLabels.get(key);
    if (!series) {
      const labels = { method, route, status: String(status) };
      series = { requests: this.requests.labels(labels), duration: this.duration.labels(labels) };
      this.seriesByLabels.set(key, series);
    }
    return series;
  }
}

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics of one node (`GET /metrics`). Defined here, fed by the composition root
 * from service and gateway events, so that no layer depends on the metrics library.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly sockets = new Gauge({
    name: 'natter_ws_connections',
    help: 'Open authenticated WebSocket connections on this node',
    registers: [this.registry],
  });
  readonly stored = new Counter({
    name: 'natter_messages_stored_total',
    help: 'Messages and notices committed for delivery',
    registers: [this.registry],
  });
  readonly delivered = new Counter({
    name: 'natter_messages_delivered_total',
    help: 'Messages written to a socket (delivery cursors moved)',
    registers: [this.registry],
  });
  readonly pushLatency = new Histogram({
    name: 'natter_push_latency_seconds',
    help: 'Time from a message being created to its write to a recipient socket',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60],
    registers: [this.registry],
  });
  readonly busPublishErrors = new Counter({
    name: 'natter_bus_publish_errors_total',
    help: 'Bus publishes that failed (the message waits for chatGetmessageOffLine)',
    registers: [this.registry],
  });
  readonly http = new Histogram({
    name: 'natter_http_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  constructor(waiting: () => Promise<number>) {
    collectDefaultMetrics({ register: this.registry, prefix: 'natter_', eventLoopMonitoringPrecision: 20 });
    new Gauge({
      name: 'natter_offline_waiting_messages',
      help: 'Stored messages not yet written to their recipients (all users)',
      registers: [this.registry],
      async collect() {
        this.set(await waiting());
      },
    });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

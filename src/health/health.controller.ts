import { Controller, Get, UseFilters } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '../common/http/public.decorator';
import { HealthCheckFilter } from './health-check.filter';
import { MigrationsHealthIndicator } from './migrations.health';

/** Probe timeout: well under a typical probe period, and far above a healthy `SELECT 1`. */
const CHECK_TIMEOUT_MS = 1_500;

/**
 * Liveness and readiness probes for orchestrators (README "Health"). Not Intercom routes: no token and no
 * `Intercom-Version` needed, and terminus's own `{status, info, error, details}` body, not `error.list`.
 */
@ApiTags('health')
@Controller('health')
@Public()
@UseFilters(HealthCheckFilter)
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly migrations: MigrationsHealthIndicator,
  ) {}

  /** The process is up and serving HTTP. No dependency checked: a database outage must not restart it. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** Ready for traffic: the database answers and every migration of this build is applied. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: CHECK_TIMEOUT_MS }),
      () => this.migrations.pendingCheck('migrations', { timeout: CHECK_TIMEOUT_MS }),
    ]);
  }
}

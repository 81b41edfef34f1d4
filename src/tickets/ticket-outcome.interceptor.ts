import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { map, type Observable } from 'rxjs';
import type { TicketOutcome } from './tickets.service';

/**
 * Sends a ticket's serialized body as is (a replay must be byte-for-byte the first response) with its strong
 * ETag, and `Idempotent-Replayed: true` on a replay.
 */
@Injectable()
export class TicketOutcomeInterceptor implements NestInterceptor<TicketOutcome, string> {
  intercept(context: ExecutionContext, next: CallHandler<TicketOutcome>): Observable<string> {
    const res = context.switchToHttp().getResponse<Response>();
    return next.handle().pipe(
      map((outcome) => {
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        res.setHeader('ETag', outcome.etag);
        if (outcome.replayed) res.setHeader('Idempotent-Replayed', 'true');
        return outcome.json;
      }),
    );
  }
}

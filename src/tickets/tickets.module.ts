import { Module } from '@nestjs/common';
import { IdempotencyCleaner } from './idempotency-cleaner';
import { TicketsController } from './tickets.controller';
import { TicketsRepository } from './tickets.repository';
import { TicketsService } from './tickets.service';

@Module({
  controllers: [TicketsController],
  providers: [TicketsService, TicketsRepository, IdempotencyCleaner],
})
export class TicketsModule {}

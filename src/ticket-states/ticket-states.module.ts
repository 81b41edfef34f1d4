import { Module } from '@nestjs/common';
import { TicketStatesController } from './ticket-states.controller';
import { TicketStatesRepository } from './ticket-states.repository';
import { TicketStatesService } from './ticket-states.service';

@Module({
  controllers: [TicketStatesController],
  providers: [TicketStatesService, TicketStatesRepository],
})
export class TicketStatesModule {}

import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { preparedStatement, runPreparedOnPool } from '../database/prepared-statement';
import type { StateCategory } from '../tickets/entities/ticket-state.entity';
import type { TicketCategory } from '../tickets/entities/ticket-type.entity';

/** A workspace's state with the ticket types it is associated with, as GET /ticket_states shows them. */
export type TicketStateRow = {
  id: string;
  category: StateCategory;
  internal_label: string;
  external_label: string;
  archived: boolean;
  ticket_types: {
    id: string;
    name: string;
    description: string;
    icon: string;
    archived: boolean;
    category: TicketCategory;
  }[];
};

const LIST_TICKET_STATES = preparedStatement(
  'ticket_states.list',
  `SELECT s.id::text, s.category, s.internal_label, s.external_label, s.archived,
          (SELECT coalesce(json_agg(json_build_object('id', tt.id::text, 'name', tt.name, 'description', tt.description,
                                                      'icon', tt.icon, 'archived', tt.archived, 'category', tt.category)
                                    ORDER BY tt.id), '[]')
             FROM ticket_type_states tts
             JOIN ticket_types tt ON tt.workspace_id = tts.workspace_id AND tt.id = tts.ticket_type_id
            WHERE tts.workspace_id = s.workspace_id AND tts.ticket_state_id = s.id) AS ticket_types
     FROM ticket_states s
    WHERE s.workspace_id = $1
    ORDER BY s.id`,
);

@Injectable()
export class TicketStatesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Every state of the workspace, archived ones included, by id; one statement. */
  async list(workspaceId: string): Promise<TicketStateRow[]> {
    const { rows } = await runPreparedOnPool<TicketStateRow>(this.dataSource, LIST_TICKET_STATES, [
      workspaceId,
    ]);
    return rows;
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue #11 (BEHAVIOUR.md §6): what API versions 2.10–2.16 show of a ticket.
 *
 * - Ticket states become rows of their own, per workspace (a category, internal and external labels, archived),
 *   associated with ticket types. Every existing workspace gets the four default states of §1 (ids from the
 *   sequence, in category order), every existing ticket type is associated with them, and every ticket points at
 *   the one of its category, so a 2.9 response is byte-for-byte what it was.
 * - `tickets.state` stays as the state's category, and a foreign key on (workspace_id, ticket_state_id, state)
 *   makes the database refuse a ticket whose category copy disagrees with its state: the category is what 2.9
 *   shows and what most reads filter on, and it can never drift.
 * - A ticket is open or closed, may be snoozed (only while open), may belong to a company, and remembers the
 *   state it had before its latest state change. A ticket type has a category.
 * - Attribute parts keep the attribute and value they changed (2.14's `updated_attribute_data`); the audit row
 *   records `skip_notifications`.
 */
export class TicketStates1764200000000 implements MigrationInterface {
  name = 'TicketStates1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE SEQUENCE ticket_states_id_seq;
      CREATE TABLE ticket_states (
        workspace_id text NOT NULL REFERENCES workspaces (workspace_id) ON DELETE CASCADE,
        id bigint NOT NULL DEFAULT nextval('ticket_states_id_seq'),
        category text NOT NULL CHECK (category IN ('submitted', 'in_progress', 'waiting_on_customer', 'resolved')),
        internal_label text NOT NULL,
        external_label text NOT NULL,
        archived boolean NOT NULL DEFAULT false,
        PRIMARY KEY (workspace_id, id),
        -- Target of the tickets' (state id, category) foreign key.
        UNIQUE (workspace_id, id, category)
      );

      CREATE TABLE ticket_type_states (
        workspace_id text NOT NULL,
        ticket_type_id bigint NOT NULL,
        ticket_state_id bigint NOT NULL,
        PRIMARY KEY (workspace_id, ticket_type_id, ticket_state_id),
        FOREIGN KEY (workspace_id, ticket_type_id) REFERENCES ticket_types (workspace_id, id) ON DELETE CASCADE,
        FOREIGN KEY (workspace_id, ticket_state_id) REFERENCES ticket_states (workspace_id, id) ON DELETE CASCADE
      );
      -- GET /ticket_states lists each state's types.
      CREATE INDEX ticket_type_states_by_state ON ticket_type_states (workspace_id, ticket_state_id);

      CREATE TABLE companies (
        workspace_id text NOT NULL REFERENCES workspaces (workspace_id) ON DELETE CASCADE,
        -- Intercom's id of the company; company_id is the workspace's own identifier for it.
        id text NOT NULL,
        company_id text,
        name text NOT NULL DEFAULT '',
        PRIMARY KEY (workspace_id, id)
      );

      ALTER TABLE ticket_types ADD COLUMN category text NOT NULL DEFAULT 'Customer'
        CONSTRAINT ticket_types_category_check CHECK (category IN ('Customer', 'Back-office', 'Tracker'));

      INSERT INTO ticket_states (workspace_id, category, internal_label, external_label)
      SELECT w.workspace_id, d.category, d.internal_label, d.external_label
        FROM workspaces w
       CROSS JOIN (VALUES (1, 'submitted', 'Submitted', 'Submitted'),
                          (2, 'in_progress', 'In progress', 'In progress'),
                          (3, 'waiting_on_customer', 'Waiting on customer', 'Waiting on you'),
                          (4, 'resolved', 'Resolved', 'Resolved')) AS d(position, category, internal_label, external_label)
       ORDER BY w.workspace_id, d.position;

      INSERT INTO ticket_type_states (workspace_id, ticket_type_id, ticket_state_id)
      SELECT tt.workspace_id, tt.id, s.id
        FROM ticket_types tt JOIN ticket_states s ON s.workspace_id = tt.workspace_id;

      ALTER TABLE tickets
        ADD COLUMN ticket_state_id bigint,
        ADD COLUMN open boolean NOT NULL DEFAULT true,
        ADD COLUMN snoozed_until timestamptz,
        ADD COLUMN company_id text,
        ADD COLUMN previous_ticket_state_id bigint;

      UPDATE tickets t SET ticket_state_id = s.id
        FROM ticket_states s WHERE s.workspace_id = t.workspace_id AND s.category = t.state;

      ALTER TABLE tickets
        ALTER COLUMN ticket_state_id SET NOT NULL,
        ADD CONSTRAINT tickets_ticket_state_fkey FOREIGN KEY (workspace_id, ticket_state_id, state)
          REFERENCES ticket_states (workspace_id, id, category),
        ADD CONSTRAINT tickets_previous_ticket_state_fkey FOREIGN KEY (workspace_id, previous_ticket_state_id)
          REFERENCES ticket_states (workspace_id, id),
        ADD CONSTRAINT tickets_company_fkey FOREIGN KEY (workspace_id, company_id)
          REFERENCES companies (workspace_id, id),
        -- Closing a ticket unsnoozes it (BEHAVIOUR.md §6): a closed ticket is never snoozed.
        ADD CONSTRAINT tickets_snoozed_only_when_open_check CHECK (open OR snoozed_until IS NULL);

      ALTER TABLE ticket_parts ADD COLUMN updated_attribute_data jsonb;
      ALTER TABLE audit_log ADD COLUMN skip_notifications boolean NOT NULL DEFAULT false;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE audit_log DROP COLUMN skip_notifications;
      ALTER TABLE ticket_parts DROP COLUMN updated_attribute_data;
      ALTER TABLE tickets
        DROP CONSTRAINT tickets_snoozed_only_when_open_check,
        DROP CONSTRAINT tickets_company_fkey,
        DROP CONSTRAINT tickets_previous_ticket_state_fkey,
        DROP CONSTRAINT tickets_ticket_state_fkey,
        DROP COLUMN previous_ticket_state_id,
        DROP COLUMN company_id,
        DROP COLUMN snoozed_until,
        DROP COLUMN open,
        DROP COLUMN ticket_state_id;
      ALTER TABLE ticket_types DROP COLUMN category;
      DROP TABLE companies;
      DROP TABLE ticket_type_states;
      DROP TABLE ticket_states; DROP SEQUENCE ticket_states_id_seq;
    `);
  }
}

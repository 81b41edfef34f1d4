import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The whole schema. Every table leads its primary key, unique constraints and foreign keys with
 * `workspace_id` so it can be distributed by tenant (shared/STYLE.md "Data"). Ids are drawn from one
 * sequence per table, so ids the service creates never collide with imported ones once the import
 * moves the sequence past them (OPERATING.md).
 */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE workspaces (
        workspace_id text PRIMARY KEY,
        name text NOT NULL,
        default_intercom_version text NOT NULL DEFAULT '2.9',
        created_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE SEQUENCE admins_id_seq;
      CREATE TABLE admins (
        workspace_id text NOT NULL REFERENCES workspaces (workspace_id) ON DELETE CASCADE,
        id bigint NOT NULL DEFAULT nextval('admins_id_seq'),
        type text NOT NULL DEFAULT 'admin' CHECK (type IN ('admin', 'bot')),
        name text NOT NULL,
        email text NOT NULL,
        PRIMARY KEY (workspace_id, id)
      );
      CREATE UNIQUE INDEX admins_one_bot_per_workspace ON admins (workspace_id) WHERE type = 'bot';

      CREATE SEQUENCE teams_id_seq;
      CREATE TABLE teams (
        workspace_id text NOT NULL REFERENCES workspaces (workspace_id) ON DELETE CASCADE,
        id bigint NOT NULL DEFAULT nextval('teams_id_seq'),
        name text NOT NULL,
        admin_ids bigint[] NOT NULL DEFAULT '{}',
        PRIMARY KEY (workspace_id, id)
      );

      CREATE TABLE contacts (
        workspace_id text NOT NULL REFERENCES workspaces (workspace_id) ON DELETE CASCADE,
        id text NOT NULL,
        external_id text,
        role text NOT NULL DEFAULT 'user',
        email text,
        PRIMARY KEY (workspace_id, id)
      );

      CREATE SEQUENCE ticket_types_id_seq;
      CREATE TABLE ticket_types (
        workspace_id text NOT NULL REFERENCES workspaces (workspace_id) ON DELETE CASCADE,
        id bigint NOT NULL DEFAULT nextval('ticket_types_id_seq'),
        name text NOT NULL,
        description text NOT NULL DEFAULT '',
        icon text NOT NULL DEFAULT '',
        archived boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, id)
      );

      CREATE SEQUENCE ticket_type_attributes_id_seq;
      CREATE TABLE ticket_type_attributes (
        workspace_id text NOT NULL,
        id bigint NOT NULL DEFAULT nextval('ticket_type_attributes_id_seq'),
        ticket_type_id bigint NOT NULL,
        name text NOT NULL,
        description text NOT NULL DEFAULT '',
        data_type text NOT NULL CHECK (data_type IN ('string', 'list', 'integer', 'decimal', 'boolean', 'datetime', 'files')),
        input_options jsonb,
        sort_order integer NOT NULL DEFAULT 0,
        required_to_create boolean NOT NULL DEFAULT false,
        required_to_create_for_contacts boolean NOT NULL DEFAULT false,
        visible_on_create boolean NOT NULL DEFAULT true,
        visible_to_contacts boolean NOT NULL DEFAULT true,
        is_default boolean NOT NULL DEFAULT false,
        archived boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, id),
        FOREIGN KEY (workspace_id, ticket_type_id) REFERENCES ticket_types (workspace_id, id) ON DELETE CASCADE,
        UNIQUE (workspace_id, ticket_type_id, name)
      );

      CREATE SEQUENCE tickets_id_seq;
      CREATE TABLE tickets (
        workspace_id text NOT NULL,
        id bigint NOT NULL DEFAULT nextval('tickets_id_seq'),
        ticket_number text NOT NULL,
        ticket_type_id bigint NOT NULL,
        state text NOT NULL DEFAULT 'submitted'
          CHECK (state IN ('submitted', 'in_progress', 'waiting_on_customer', 'resolved')),
        attributes jsonb NOT NULL DEFAULT '{}',
        admin_assignee_id bigint,
        team_assignee_id bigint,
        is_shared boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, id),
        FOREIGN KEY (workspace_id, ticket_type_id) REFERENCES ticket_types (workspace_id, id),
        FOREIGN KEY (workspace_id, admin_assignee_id) REFERENCES admins (workspace_id, id),
        FOREIGN KEY (workspace_id, team_assignee_id) REFERENCES teams (workspace_id, id)
      );

      CREATE TABLE ticket_contacts (
        workspace_id text NOT NULL,
        ticket_id bigint NOT NULL,
        contact_id text NOT NULL,
        position integer NOT NULL DEFAULT 0,
        PRIMARY KEY (workspace_id, ticket_id, contact_id),
        FOREIGN KEY (workspace_id, ticket_id) REFERENCES tickets (workspace_id, id) ON DELETE CASCADE,
        FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id)
      );

      CREATE SEQUENCE ticket_parts_id_seq;
      CREATE TABLE ticket_parts (
        workspace_id text NOT NULL,
        id bigint NOT NULL DEFAULT nextval('ticket_parts_id_seq'),
        ticket_id bigint NOT NULL,
        part_type text NOT NULL,
        body text,
        author_id bigint NOT NULL,
        ticket_state text,
        previous_ticket_state text,
        assigned_to_type text CHECK (assigned_to_type IN ('admin', 'team', 'nobody_admin')),
        assigned_to_id text,
        attachments jsonb NOT NULL DEFAULT '[]',
        external_id text,
        redacted boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, id),
        FOREIGN KEY (workspace_id, ticket_id) REFERENCES tickets (workspace_id, id) ON DELETE CASCADE,
        FOREIGN KEY (workspace_id, author_id) REFERENCES admins (workspace_id, id)
      );
      -- The response reads a ticket's newest 500 parts and counts them: both walk this index backwards.
      CREATE INDEX ticket_parts_by_ticket ON ticket_parts (workspace_id, ticket_id, id);

      CREATE SEQUENCE access_tokens_id_seq;
      CREATE TABLE access_tokens (
        workspace_id text NOT NULL REFERENCES workspaces (workspace_id) ON DELETE CASCADE,
        id bigint NOT NULL DEFAULT nextval('access_tokens_id_seq'),
        name text NOT NULL DEFAULT '',
        token_hash bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        PRIMARY KEY (workspace_id, id)
      );
      -- Authentication starts from the token alone, before the workspace is known.
      CREATE UNIQUE INDEX access_tokens_by_hash ON access_tokens (token_hash);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE access_tokens; DROP SEQUENCE access_tokens_id_seq;
      DROP TABLE ticket_parts; DROP SEQUENCE ticket_parts_id_seq;
      DROP TABLE ticket_contacts;
      DROP TABLE tickets; DROP SEQUENCE tickets_id_seq;
      DROP TABLE ticket_type_attributes; DROP SEQUENCE ticket_type_attributes_id_seq;
      DROP TABLE ticket_types; DROP SEQUENCE ticket_types_id_seq;
      DROP TABLE contacts;
      DROP TABLE teams; DROP SEQUENCE teams_id_seq;
      DROP TABLE admins; DROP SEQUENCE admins_id_seq;
      DROP TABLE workspaces;
    `);
  }
}

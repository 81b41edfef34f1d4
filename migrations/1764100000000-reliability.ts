import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue #4: a version per ticket (ETag / If-Match), a per-workspace switch that makes If-Match required,
 * stored responses for Idempotency-Key, and one audit row per committed update.
 */
export class Reliability1764100000000 implements MigrationInterface {
  name = 'Reliability1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE tickets ADD COLUMN version bigint NOT NULL DEFAULT 1;
      ALTER TABLE workspaces ADD COLUMN require_if_match boolean NOT NULL DEFAULT false;

      CREATE TABLE idempotency_keys (
        workspace_id text NOT NULL REFERENCES workspaces (workspace_id) ON DELETE CASCADE,
        key text NOT NULL,
        -- SHA-256 of method, path and body: the same key with another request is refused (422).
        request_hash bytea NOT NULL,
        ticket_id bigint NOT NULL,
        status integer NOT NULL,
        etag text NOT NULL,
        response text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (workspace_id, key)
      );
      CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

      CREATE SEQUENCE audit_log_id_seq;
      CREATE TABLE audit_log (
        workspace_id text NOT NULL REFERENCES workspaces (workspace_id) ON DELETE CASCADE,
        id bigint NOT NULL DEFAULT nextval('audit_log_id_seq'),
        ticket_id bigint NOT NULL,
        request_id text NOT NULL,
        token_id bigint NOT NULL,
        -- The admin performing an assignment, when there is one; attribute and state changes are the bot's.
        admin_id bigint,
        bot_id bigint NOT NULL,
        changes jsonb NOT NULL,
        idempotency_key text,
        version_before bigint NOT NULL,
        version_after bigint NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, id),
        FOREIGN KEY (workspace_id, ticket_id) REFERENCES tickets (workspace_id, id) ON DELETE CASCADE
      );
      CREATE INDEX audit_log_by_ticket ON audit_log (workspace_id, ticket_id, id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE audit_log; DROP SEQUENCE audit_log_id_seq;
      DROP TABLE idempotency_keys;
      ALTER TABLE workspaces DROP COLUMN require_if_match;
      ALTER TABLE tickets DROP COLUMN version;
    `);
  }
}

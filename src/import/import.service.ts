import { DataSource } from 'typeorm';
import type { ImportStep, OnImportProgress } from './import-progress';
import { ImportRepository, type OnRowsWritten } from './import.repository';
import { checkSnapshot, ImportError, parseSnapshot } from './snapshot-checker';
import {
  adminRows,
  attributeRows,
  botEmail,
  contactRows,
  partRow,
  teamRows,
  ticketContactRows,
  ticketRow,
  ticketTypeRow,
  workspaceRow,
} from './snapshot-rows';
import type { ImportSummary, Snapshot } from './snapshot.types';

/**
 * OPERATING.md "Workspace snapshot": one transaction, idempotent, ids kept, sequences moved past them.
 * Used by the CLI, the demo seed and the tests, each with its own DataSource, so it is a plain class.
 */
export class ImportService {
  private readonly repository = new ImportRepository();

  constructor(private readonly dataSource: DataSource) {}

  /** Parses a snapshot's text; `source` names it in messages. */
  parse(text: string, source: string): Snapshot {
    return parseSnapshot(text, source);
  }

  /** `onProgress` hears of each step and batch (the CLI shows it on a terminal). */
  async import(snapshot: Snapshot, onProgress?: OnImportProgress): Promise<ImportSummary> {
    const repo = this.repository;
    const ws = snapshot.workspace.id;
    const counter = (step: ImportStep, total: number): OnRowsWritten | undefined => {
      if (!onProgress) return undefined;
      let done = 0;
      onProgress({ step, done, total });
      return (rows) => {
        done += rows;
        onProgress({ step, done, total });
      };
    };
    return this.dataSource.transaction(async (manager) => {
      await repo.lockWorkspace(manager, ws);
      const existing = await repo.loadExisting(manager, ws);
      onProgress?.({ step: 'checking', done: 0, total: 0 });
      const problems = checkSnapshot(snapshot, existing);
      if (problems.length > 0) throw new ImportError(problems);

      await repo.upsertWorkspace(manager, workspaceRow(snapshot));
      const admins = adminRows(snapshot);
      await repo.upsertAdmins(manager, ws, admins);
      await repo.upsertTeams(manager, ws, teamRows(snapshot));
      const contacts = contactRows(snapshot);
      await repo.upsertContacts(manager, ws, contacts, counter('contacts', contacts.length));
      const types = snapshot.ticket_types ?? [];
      await repo.upsertTicketTypes(manager, ws, types.map(ticketTypeRow));
      const attributes = types.flatMap(attributeRows);
      await repo.upsertAttributes(manager, ws, attributes);
      await repo.moveSequencesPastImportedIds(manager);
      if (![...existing.adminTypes.values(), ...admins.map((a) => a.type)].includes('bot')) {
        await repo.createBot(manager, ws, botEmail(ws));
      }

      // The rules as now stored: values are normalized as the API stores them (a list item's label).
      const rules = await repo.findAttributeRules(manager, ws);
      const tickets = snapshot.tickets ?? [];
      await repo.upsertTickets(
        manager,
        ws,
        tickets.map((t) => ticketRow(t, rules.get(String(t.ticket_type_id)))),
        counter('tickets', tickets.length),
      );
      await repo.replaceTicketContacts(
        manager,
        ws,
        tickets.map((t) => String(t.id)),
        tickets.flatMap(ticketContactRows),
      );
      const parts = tickets.flatMap((t) => (t.ticket_parts ?? []).map((p) => partRow(t, p)));
      await repo.upsertParts(manager, ws, parts, counter('ticket parts', parts.length));
      await repo.notifyAuthChanged(manager);
      onProgress?.({ step: 'committing', done: 0, total: 0 });
      return {
        workspace: ws,
        admins: admins.length,
        teams: (snapshot.teams ?? []).length,
        contacts: contacts.length,
        ticket_types: types.length,
        ticket_type_attributes: attributes.length,
        tickets: tickets.length,
        ticket_parts: parts.length,
      };
    });
  }
}

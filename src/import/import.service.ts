import { DataSource } from 'typeorm';
import type { ImportStep, OnImportProgress } from './import-progress';
import { ImportRepository, type OnRowsWritten } from './import.repository';
import { checkSnapshot, ImportError, parseSnapshot } from './snapshot-checker';
import {
  adminRows,
  attributeRows,
  botEmail,
  companyRows,
  contactRows,
  partRow,
  teamRows,
  ticketContactRows,
  ticketRow,
  ticketStateRows,
  ticketTypeRow,
  typeStateRows,
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
      const types = snapshot.ticket_types ?? [];
      const restatedTypeIds = types.filter((t) => t.ticket_state_ids !== undefined).map((t) => String(t.id));
      const existing = await repo.loadExisting(manager, ws, restatedTypeIds);
      onProgress?.({ step: 'checking', done: 0, total: 0 });
      const problems = checkSnapshot(snapshot, existing);
      if (problems.length > 0) throw new ImportError(problems);

      await repo.upsertWorkspace(manager, workspaceRow(snapshot));
      const admins = adminRows(snapshot);
      await repo.upsertAdmins(manager, ws, admins);
      await repo.upsertTeams(manager, ws, teamRows(snapshot));
      const contacts = contactRows(snapshot);
      await repo.upsertContacts(manager, ws, contacts, counter('contacts', contacts.length));
      const states = ticketStateRows(snapshot);
      await repo.upsertTicketStates(manager, ws, states);
      const companies = companyRows(snapshot);
      await repo.upsertCompanies(manager, ws, companies);
      await repo.upsertTicketTypes(manager, ws, types.map(ticketTypeRow));
      const attributes = types.flatMap(attributeRows);
      await repo.upsertAttributes(manager, ws, attributes);
      await repo.moveSequencesPastImportedIds(manager);
      // After the sequences moved: default states take ids past the imported ones.
      await repo.createMissingDefaultStates(manager, ws);
      await repo.replaceTypeStates(manager, ws, restatedTypeIds, typeStateRows(snapshot));
      await repo.giveDefaultStates(
        manager,
        ws,
        types
          .filter((t) => t.ticket_state_ids === undefined && !existing.types.has(String(t.id)))
          .map((t) => String(t.id)),
      );
      if (![...existing.adminTypes.values(), ...admins.map((a) => a.type)].includes('bot')) {
        await repo.createBot(manager, ws, botEmail(ws));
      }

      // The rules as now stored: values are normalized as the API stores them (a list item's label).
      const rules = await repo.findAttributeRules(manager, ws);
      // The states as now stored: a type's default states are known only once its associations are written.
      const stored = await repo.findStates(manager, ws);
      const tickets = snapshot.tickets ?? [];
      await repo.upsertTickets(
        manager,
        ws,
        tickets.map((t) => ticketRow(t, rules.get(String(t.ticket_type_id)), stored)),
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
        ticket_states: states.length,
        companies: companies.length,
        ticket_types: types.length,
        ticket_type_attributes: attributes.length,
        tickets: tickets.length,
        ticket_parts: parts.length,
      };
    });
  }
}

import { chmod, readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { TokensService } from '../auth/tokens.service';
import { createDataSource } from '../database/data-source';
import { ImportService } from '../import/import.service';
import { DEMO_IDS } from '../docs/demo-ids';
import { ENTITIES } from '../entities';
import { DEMO_SNAPSHOT, DEMO_WORKSPACE_ID } from './demo-workspace';

/**
 * Loads the demo workspace on the embedded database's first start and keeps its token in
 * `<DATA_DIR>/demo-token` (local development only), so every start can print a curl that works.
 */
export async function seedDemoWorkspace(url: string, dataDir: string) {
  const dataSource = await createDataSource(url, ENTITIES, 2).initialize();
  const tokenFile = resolve(dataDir, 'demo-token');
  try {
    const tokens = new TokensService(dataSource);
    const seeded: unknown[] = await dataSource.query('SELECT 1 FROM workspaces WHERE workspace_id = $1', [
      DEMO_WORKSPACE_ID,
    ]);
    if (seeded.length === 0) await new ImportService(dataSource).import(DEMO_SNAPSHOT);
    let token = await readFile(tokenFile, 'utf8').then(
      (text) => text.trim(),
      () => '',
    );
    if (!token || !(await tokens.authenticate(token))) {
      token = await tokens.create(DEMO_WORKSPACE_ID, 'demo');
      await writeFile(tokenFile, `${token}\n`, { mode: 0o600 });
      await chmod(tokenFile, 0o600);
    }
    return { token, banner: (baseUrl: string) => demoBanner(baseUrl, token) };
  } finally {
    await dataSource.destroy();
  }
}

/** `baseUrl`: where the server can be reached (the bound address; loopback when it binds every interface). */
function demoBanner(baseUrl: string, token: string): string {
  return `
Demo workspace "${DEMO_WORKSPACE_ID}" is ready. Token: ${token}
Try:
  curl -s -X PUT ${baseUrl}/tickets/${DEMO_IDS.ticket} \\
    -H 'Authorization: Bearer ${token}' -H 'Intercom-Version: 2.9' -H 'Content-Type: application/json' \\
    -d '{"state":"in_progress","ticket_attributes":{"Priority":"Medium"},"assignment":{"admin_id":"${DEMO_IDS.admin}","assignee_id":"${DEMO_IDS.otherAdmin}"}}'
API docs: ${baseUrl}/docs ("Authorize" with the token above, then "Try it out" on PUT)

`;
}

/**
 * Ids of the demo workspace (demo-workspace.ts) that the docs' examples and the start banner use, so that
 * /docs' "Try it out" and the printed curl work against `npm start` as they are: `ticketState` is the Bug type's
 * custom in_progress state ("Investigating"), `company` the demo company.
 */
export const DEMO_IDS = {
  ticket: '447',
  admin: '991267719',
  otherAdmin: '991267721',
  ticketState: '7005',
  company: '6657add46abd0167d9419cd2',
} as const;

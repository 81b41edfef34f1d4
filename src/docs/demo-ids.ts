/**
 * Ids of the demo workspace (demo-workspace.ts) that the docs' examples and the start banner use, so that
 * /docs' "Try it out" and the printed curl work against `npm start` as they are.
 */
export const DEMO_IDS = { ticket: '447', admin: '991267719', otherAdmin: '991267721' } as const;

/** Patch ids of the transaction workflow: each marks the runs made by code from that change on. */

/**
 * Marks runs made by this code: Universign calls on their own rate-limited task queue, sync
 * records as local activities (one statement each; a quiet one is one small UPDATE), and the
 * cadence that follows whether webhooks arrive. Histories without the marker replay the earlier
 * commands (each on the workflow's queue, records as regular activities).
 */
export const FLEET_SCALE_PATCH = 'fleet-scale-2026-11';

/**
 * Reconnect delays: exponential from BASE_DELAY_MS, capped, with jitter so peers
 * that lost each other at the same moment do not redial in lockstep.
 */
export const BASE_DELAY_MS = 100;

/** Delay before attempt number `attempt` (0-based): a random value in [d/2, d], d = min(cap, base * 2^attempt). */
export function backoffDelay(attempt: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, BASE_DELAY_MS * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

// A wall clock that tests move forward, for limits counted on the clock (token and session
// lifetimes, auth_time and max_age in whole seconds, lockouts) in a Sesame running in this process
// (startTestSesame): instead of waiting for a limit to pass, the test moves Date past it.
// oidc-provider, our repositories and rate-limiter-flexible all read the time from Date here.
// Only Date is faked: timers stay real, and the clock keeps running (in steps of 20 ms) from where
// it was moved to, so I/O, timeouts and everything else behave as usual. Never for instances in
// child processes.
//
// Code that keeps a reference to `Date.now` (a default parameter such as session-lifetime.ts's
// `nowMs = Date.now`) reads whichever clock was in place when it took it: start the fake clock
// with useTestClock() before starting Sesame when such code is under test.
import { vi } from 'vitest';

/** Puts the movable clock in place (at the real time) if it is not already. */
export function useTestClock(): void {
  if (!vi.isFakeTimers()) vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
}

/** Moves this process's clock `ms` forward (again on every call). */
export function advanceClock(ms: number): void {
  useTestClock();
  vi.setSystemTime(Date.now() + ms);
}

/** Back to the real clock. */
export function restoreClock(): void {
  vi.useRealTimers();
}

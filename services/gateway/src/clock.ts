// The gateway's clock: system time, or a manual clock that moves only when told (tests, simulations).

export interface Clock {
  readonly kind: "system" | "manual";
  /** Milliseconds since epoch. */
  now(): number;
}

export class SystemClock implements Clock {
  readonly kind = "system" as const;
  now(): number {
    return Date.now();
  }
}

export class ClockError extends Error {
  constructor(
    readonly code: "CLOCK_BACKWARDS" | "CLOCK_NOT_MANUAL",
    message: string,
  ) {
    super(message);
  }
}

/** Time stands still until `set`; it never moves backwards. */
export class ManualClock implements Clock {
  readonly kind = "manual" as const;
  constructor(private at: number) {}
  now(): number {
    return this.at;
  }
  set(at: number): void {
    if (at < this.at)
      throw new ClockError("CLOCK_BACKWARDS", `the clock is at ${this.at}; ${at} would move it backwards`);
    this.at = at;
  }
}

/**
 * Every wait on HCS, and on a VM's guest, has a named timeout. Defaults follow hcsshim
 * (`internal/timeout/timeout.go`): four minutes for create, start, pause, resume and every other
 * syscall. `syscall` bounds the computecore calls that return their result directly (open, close,
 * grant, revoke, service properties): a host that never answers one must not hold a Pulumi step
 * forever. `gcsConnection` is UtilityVM.Start's two-minute context, within which the guest must
 * connect and negotiate (hcsshim's GCSConnectionTimeout on its main branch); `gcsRequest` is the GCS
 * bridge's five-minute failure timeout per request (`bridgeFailureTimeout`). Each can be overridden,
 * in whole seconds, by one environment variable, as hcsshim's `HCSSHIM_TIMEOUT_*` variables do.
 */
export const TIMEOUT_NAMES = [
    "create", "start", "shutdown", "terminate", "pause", "resume", "properties", "modify", "enumerate", "syscall",
    "gcsConnection", "gcsRequest",
] as const;

export type TimeoutName = (typeof TIMEOUT_NAMES)[number];

const FOUR_MINUTES_MS = 4 * 60 * 1000;

/** The timeouts whose default is not four minutes. */
const DEFAULT_MS: Partial<Record<TimeoutName, number>> = {
    gcsConnection: 2 * 60 * 1000,
    gcsRequest: 5 * 60 * 1000,
};

/** The environment variable that overrides a timeout, e.g. `PULUMI_HCS_TIMEOUT_START=600`. */
export function timeoutEnvVar(name: TimeoutName): string {
    return `PULUMI_HCS_TIMEOUT_${name.toUpperCase()}`;
}

/**
 * The timeout for one kind of operation, in milliseconds: the environment override when it is a
 * positive whole number of seconds, else the default.
 * @throws RangeError when the override is set but is not a positive whole number of seconds.
 */
export function defaultTimeoutMs(name: TimeoutName, env: NodeJS.ProcessEnv = process.env): number {
    const variable = timeoutEnvVar(name);
    const raw = env[variable];
    if (raw === undefined || raw.trim() === "") return DEFAULT_MS[name] ?? FOUR_MINUTES_MS;
    const seconds = Number(raw);
    if (!Number.isInteger(seconds) || seconds <= 0) {
        throw new RangeError(`Cannot use ${variable}: it must be a positive whole number of seconds, current value is '${raw}'`);
    }
    return seconds * 1000;
}

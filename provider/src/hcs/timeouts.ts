/**
 * Every wait on HCS has a named timeout. Defaults follow hcsshim (`internal/timeout/timeout.go`):
 * four minutes for create, start, pause, resume and every other syscall. `syscall` bounds the
 * computecore calls that return their result directly (open, close, grant, revoke, service
 * properties): a host that never answers one must not hold a Pulumi step forever. Each can be overridden, in
 * whole seconds, by one environment variable, as hcsshim's `HCSSHIM_TIMEOUT_*` variables do.
 */
export const TIMEOUT_NAMES = [
    "create", "start", "shutdown", "terminate", "pause", "resume", "properties", "modify", "enumerate", "syscall",
] as const;

export type TimeoutName = (typeof TIMEOUT_NAMES)[number];

const FOUR_MINUTES_MS = 4 * 60 * 1000;

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
    if (raw === undefined || raw.trim() === "") return FOUR_MINUTES_MS;
    const seconds = Number(raw);
    if (!Number.isInteger(seconds) || seconds <= 0) {
        throw new RangeError(`Cannot use ${variable}: it must be a positive whole number of seconds, current value is '${raw}'`);
    }
    return seconds * 1000;
}

import pino from "pino";

/**
 * Fields that may carry secrets anywhere we log them. pino's redaction matches exact paths
 * (`*.x` is one level deep only), so every depth we use is listed.
 */
const REDACTED_PATHS = [
    "secret", "*.secret", "*.*.secret",
    "token", "*.token", "*.*.token",
    "passphrase", "*.passphrase",
    "authorization", "*.authorization", "headers.authorization",
    "env.PULUMI_CONFIG_PASSPHRASE", "env.PULUMI_HCS_SIM_SECRET",
];

/** The environment variable that sets the log level (trace, debug, info, warn, error, fatal, silent). */
export const LOG_LEVEL_ENV = "PULUMI_HCS_LOG_LEVEL";

function levelFromEnv(): string {
    const wanted = process.env[LOG_LEVEL_ENV]?.trim().toLowerCase();
    if (wanted === undefined || wanted === "") return "info";
    return wanted === "silent" || wanted in pino.levels.values ? wanted : "info";
}

/**
 * The process-wide logger: structured JSON on stderr (fd 2), never stdout, because stdout carries
 * command results (`render` documents, `ps --json`) and the dynamic provider's port handshake.
 * Writes are synchronous so a log line written just before exit is not lost.
 */
export const log = pino(
    {
        name: "pulumi-hcs",
        level: levelFromEnv(),
        base: { pid: process.pid },
        redact: { paths: REDACTED_PATHS, censor: "[REDACTED]" },
    },
    pino.destination({ dest: 2, sync: true }),
);

/** Raises the level to debug (the CLI's `--debug`), unless the environment asked for trace. */
export function enableDebugLogging(): void {
    if (log.levelVal > pino.levels.values.debug!) log.level = "debug";
}

export type Logger = pino.Logger;

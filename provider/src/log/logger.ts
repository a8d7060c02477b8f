import type pino from "pino";

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

/** pino's level numbers (`pino.levels.values`), so a level can be tested without loading pino. */
const LEVELS: Readonly<Record<string, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

type LevelName = "trace" | "debug" | "info" | "warn" | "error" | "fatal";

/** A pino log method: `(mergingObject, message, ...interpolation)` or `(message, ...interpolation)`. */
export type LogFn = (objectOrMessage: unknown, message?: string, ...args: unknown[]) => void;

/** The part of pino's Logger that pulumi-hcs uses. */
export interface Logger {
    /** trace, debug, info, warn, error, fatal or silent. @throws Error for any other name, as pino does. */
    level: string;
    /** The level's number (Infinity when silent). */
    readonly levelVal: number;
    isLevelEnabled(level: string): boolean;
    /** A logger adding `bindings` to every line; it starts at this logger's level. */
    child(bindings: Record<string, unknown>): Logger;
    readonly trace: LogFn;
    readonly debug: LogFn;
    readonly info: LogFn;
    readonly warn: LogFn;
    readonly error: LogFn;
    readonly fatal: LogFn;
}

function levelFromEnv(): string {
    const wanted = process.env[LOG_LEVEL_ENV]?.trim().toLowerCase();
    if (wanted === undefined || wanted === "") return "info";
    return wanted === "silent" || wanted in LEVELS ? wanted : "info";
}

/**
 * pino itself, loaded on the first line actually written. Loading it costs about 20 ms, once per
 * process; inside Pulumi the provider logs warnings only, so a dynamic-provider process usually
 * writes nothing and never needs it (bench/README.md).
 */
function createPino(level: string): pino.Logger {
    const { pino: create } = require("pino") as typeof import("pino"); // eslint-disable-line @typescript-eslint/no-require-imports
    return create(
        {
            name: "pulumi-hcs",
            level,
            base: { pid: process.pid },
            redact: { paths: REDACTED_PATHS, censor: "[REDACTED]" },
        },
        create.destination({ dest: 2, sync: true }),
    );
}

/**
 * A logger that tests levels itself and makes its pino logger (or pino child) only when a line is
 * written at an enabled level; every line then goes through pino, unchanged.
 */
class LazyLogger implements Logger {
    private real: pino.Logger | undefined;
    private current: string;

    readonly trace = this.method("trace");
    readonly debug = this.method("debug");
    readonly info = this.method("info");
    readonly warn = this.method("warn");
    readonly error = this.method("error");
    readonly fatal = this.method("fatal");

    constructor(level: string, private readonly parent?: LazyLogger, private readonly bindings?: Record<string, unknown>) {
        this.current = level;
    }

    get level(): string {
        return this.current;
    }

    set level(value: string) {
        if (value !== "silent" && !(value in LEVELS)) throw new Error(`unknown level ${value}`);
        this.current = value;
        if (this.real) this.real.level = value;
    }

    get levelVal(): number {
        return this.current === "silent" ? Infinity : LEVELS[this.current]!;
    }

    isLevelEnabled(level: string): boolean {
        const value = LEVELS[level];
        return value !== undefined && value >= this.levelVal;
    }

    child(bindings: Record<string, unknown>): Logger {
        return new LazyLogger(this.current, this, bindings);
    }

    private method(level: LevelName): LogFn {
        return (...args: Parameters<LogFn>) => {
            if (!this.isLevelEnabled(level)) return;
            (this.pino()[level] as (...a: unknown[]) => void)(...args);
        };
    }

    private pino(): pino.Logger {
        if (!this.real) {
            this.real = this.parent ? this.parent.pino().child(this.bindings ?? {}) : createPino(this.current);
            this.real.level = this.current;
        }
        return this.real;
    }
}

/**
 * The process-wide logger: structured JSON on stderr (fd 2), never stdout, because stdout carries
 * command results (`render` documents, `ps --json`) and the dynamic provider's port handshake.
 * Writes are synchronous so a log line written just before exit is not lost.
 */
export const log: Logger = new LazyLogger(levelFromEnv());

/** Raises the level to debug (the CLI's `--debug`), unless the environment asked for trace. */
export function enableDebugLogging(): void {
    if (log.levelVal > LEVELS.debug!) log.level = "debug";
}

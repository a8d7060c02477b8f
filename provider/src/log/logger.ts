import { format } from "node:util";
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

/** The environment variable naming a file that gets every line as JSON too (appended; created if missing). */
export const LOG_FILE_ENV = "PULUMI_HCS_LOG_FILE";

/** pino's level numbers (`pino.levels.values`), so a level can be tested without loading pino. */
const LEVELS: Readonly<Record<string, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

type LevelName = "trace" | "debug" | "info" | "warn" | "error" | "fatal";

/** A pino log method: `(mergingObject, message, ...interpolation)` or `(message, ...interpolation)`. */
export type LogFn = (objectOrMessage: unknown, message?: string, ...args: unknown[]) => void;

/** One line as a {@link WarningRoute} sees it. */
export interface LogLine {
    readonly level: LevelName;
    /** The line's fields: its child loggers' bindings and its own merging object. */
    readonly fields: Readonly<Record<string, unknown>>;
    readonly message: string;
    /** Writes the line as JSON on stderr after all (for a route that could not deliver it). */
    toStderr(): void;
}

/**
 * Takes warnings somewhere other than stderr (the Pulumi engine's diagnostics: pulumi/resource-diagnostics.ts).
 * Returns true when it took the line; the line is then not written to stderr.
 */
export type WarningRoute = (line: LogLine) => boolean;

let warningRoute: WarningRoute | undefined;
let jsonOnStderr = true;
const logFile = process.env[LOG_FILE_ENV]?.trim() || undefined;

/** Sends every warning at an enabled level to `route` first (undefined: back to stderr only). */
export function routeWarnings(route: WarningRoute | undefined): void {
    warningRoute = route;
}

/**
 * Whether lines a route did not take are written to stderr as JSON (the default). Inside Pulumi
 * they are only when PULUMI_HCS_LOG_LEVEL asks for them (pulumi/provider.ts).
 */
export function writeJsonOnStderr(enabled: boolean): void {
    jsonOnStderr = enabled;
}

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
function createPino(level: string, destination: Destination): pino.Logger {
    const { pino: create } = require("pino") as typeof import("pino"); // eslint-disable-line @typescript-eslint/no-require-imports
    return create(
        {
            name: "pulumi-hcs",
            level,
            base: { pid: process.pid },
            redact: { paths: REDACTED_PATHS, censor: "[REDACTED]" },
        },
        destination === "stderr"
            ? create.destination({ dest: 2, sync: true })
            : create.destination({ dest: logFile!, sync: true, append: true, mkdir: true }),
    );
}

/** Where a pino logger writes: stderr (fd 2), or the PULUMI_HCS_LOG_FILE file. */
type Destination = "stderr" | "file";

/**
 * A logger that tests levels itself and makes its pino loggers (or pino children) only when a line
 * is written at an enabled level; every line then goes through pino, unchanged, except warnings a
 * route takes (which reach stderr only if the route cannot deliver them, and the file always).
 */
class LazyLogger implements Logger {
    private readonly real: Partial<Record<Destination, pino.Logger>> = {};
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
        for (const real of Object.values(this.real)) real.level = value;
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
            if (logFile !== undefined) this.write("file", level, args);
            if (level === "warn" && warningRoute?.(this.lineOf(level, args))) return;
            if (jsonOnStderr) this.write("stderr", level, args);
        };
    }

    private write(destination: Destination, level: LevelName, args: unknown[]): void {
        (this.pino(destination)[level] as (...a: unknown[]) => void)(...args);
    }

    private lineOf(level: LevelName, args: unknown[]): LogLine {
        const { fields, message } = lineParts(args);
        return { level, fields: { ...this.allBindings(), ...fields }, message, toStderr: () => this.write("stderr", level, args) };
    }

    private allBindings(): Record<string, unknown> {
        return { ...this.parent?.allBindings(), ...this.bindings };
    }

    private pino(destination: Destination): pino.Logger {
        let real = this.real[destination];
        if (!real) {
            real = this.parent ? this.parent.pino(destination).child(this.bindings ?? {}) : createPino(this.current, destination);
            real.level = this.current;
            this.real[destination] = real;
        }
        return real;
    }
}

/**
 * A line's fields and message, read as pino reads its arguments: `(fields, message, ...interpolation)`,
 * `(error, message?)` or `(message, ...interpolation)`.
 */
function lineParts(args: readonly unknown[]): { fields: Record<string, unknown>; message: string } {
    const [first, ...rest] = args;
    const text = (parts: readonly unknown[]): string => {
        const [message, ...interpolation] = parts;
        if (typeof message !== "string") return "";
        return interpolation.length > 0 ? format(message, ...interpolation) : message;
    };
    if (typeof first === "string") return { fields: {}, message: text(args) };
    if (first instanceof Error) return { fields: { err: first.message }, message: rest.length > 0 ? text(rest) : first.message };
    const fields = first !== null && typeof first === "object" ? { ...(first as Record<string, unknown>) } : {};
    return { fields, message: text(rest) };
}

/**
 * The process-wide logger: structured JSON on stderr (fd 2), never stdout, because stdout carries
 * command results (`render` documents, `ps --json`) and the dynamic provider's port handshake; and
 * in the PULUMI_HCS_LOG_FILE file, when that is set. Writes are synchronous so a log line written
 * just before exit is not lost.
 */
export const log: Logger = new LazyLogger(levelFromEnv());

/** Raises the level to debug (the CLI's `--debug`), unless the environment asked for trace. */
export function enableDebugLogging(): void {
    if (log.levelVal > LEVELS.debug!) log.level = "debug";
}

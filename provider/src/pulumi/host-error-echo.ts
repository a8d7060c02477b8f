import { isExpectedFailure } from "./expected-failure";

/**
 * How many thrown errors may wait for their echo. The host echoes each one as soon as the method's
 * promise rejects, so this only bounds what a host that stopped echoing would leave here.
 */
const MAX_WAITING = 64;

/** The host's echo of an error (`${e}: ${e.stack}`), and what to print instead (nothing, or the stack). */
const waiting = new Map<string, string | undefined>();
let replaced = false;

/**
 * Replaces the dynamic-provider host's echo of the errors that check, diff, read and delete throw.
 *
 * The host (node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js) catches such an error, prints
 * `console.error(`${e}: ${e.stack}`)` and returns the error to the engine. The engine shows the
 * returned message under the resource, and the print, as the plugin's stderr, under the stack: the
 * message once more, twice over on one line (`HcsError: X: HcsError: X`), then JavaScript frames
 * that point at the provider instead of at the problem. So, once {@link echoOnce} has seen the
 * error on its way out, the echo becomes: nothing for an expected failure (expected-failure.ts; the
 * resource's error says it all), and the stack alone for a bug (its message once, then the frames
 * a bug report needs). Every other console.error line passes unchanged.
 */
export function replaceHostErrorEcho(target: Pick<Console, "error"> = console): void {
    replaced = true;
    const print = target.error.bind(target);
    target.error = (...args: unknown[]): void => {
        const line = args.length === 1 && typeof args[0] === "string" ? args[0] : undefined;
        if (line !== undefined && waiting.has(line)) {
            const replacement = waiting.get(line);
            waiting.delete(line);
            if (replacement !== undefined) print(replacement);
            return;
        }
        print(...args);
    };
}

/** Runs a check, diff, read or delete; an error it throws has its echo replaced (once replaceHostErrorEcho ran). */
export async function echoOnce<T>(run: () => Promise<T>): Promise<T> {
    try {
        return await run();
    } catch (err) {
        if (replaced) expectEcho(err);
        throw err;
    }
}

/** Notes an error about to be thrown to the host, so its echo can be replaced. */
export function expectEcho(err: unknown): void {
    let echo: string;
    try {
        echo = `${String(err)}: ${(err as { stack?: unknown } | undefined)?.stack}`;
    } catch {
        return; // a value that cannot even be printed: the host's own print will fail the same way
    }
    if (waiting.size >= MAX_WAITING) waiting.delete(waiting.keys().next().value!);
    waiting.set(echo, isExpectedFailure(err) ? undefined : String((err as Error).stack ?? echo));
}

/**
 * The provider Pulumi's dynamic-provider host gets when the implementation package cannot be
 * loaded: every method reports the one-line problem (implementation.ts) instead of the host
 * printing a `Cannot find module` stack trace.
 *
 * `check` answers with a check failure, which the engine prints as one line under the resource; it
 * runs first for every resource a program declares, so preview and up stop there. `read` and
 * `delete` (refresh and destroy of an existing stack) have no such answer and must reject. The host
 * sends the rejection's message to the engine and also logs it as `${err}: ${err.stack}` (pulumi
 * cmd/dynamic-provider); an error with no name and an empty stack makes that log the message alone,
 * where a stack would add frames of the host's own code.
 */
import type * as pulumi from "@pulumi/pulumi";

/** A stand-in provider whose every method fails with `problem`. */
export function missingImplementationProvider(problem: string): pulumi.dynamic.ResourceProvider {
    const reject = (): Promise<never> => Promise.reject(errorWithoutFrames(problem));
    return {
        check: async () => ({ failures: [{ property: "", reason: problem }] }),
        diff: reject,
        create: reject,
        read: reject,
        update: reject,
        delete: reject,
    };
}

function errorWithoutFrames(message: string): Error {
    const err = new Error(message);
    err.name = "";
    err.stack = "";
    return err;
}

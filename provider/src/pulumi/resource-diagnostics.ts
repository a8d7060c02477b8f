import { AsyncLocalStorage } from "node:async_hooks";
import { routeWarnings } from "../log/logger";
import { plainMessage } from "../log/plain-message";
import type { EngineLog } from "./engine-log";

/** One provider call (check, create, ...): the resource it is for, and the diagnostics it sent. */
interface ResourceCall {
    readonly urn: string | undefined;
    readonly sending: Promise<void>[];
}

const calls = new AsyncLocalStorage<ResourceCall>();

/**
 * Makes the provider's warnings Pulumi diagnostics: each is sent to the engine, in plain words
 * (log/plain-message.ts), under the resource whose call logged it ({@link forResource}; under the
 * stack outside any call). The provider's stderr, where they went before, reaches the user only as
 * text under the stack, which for pino is a raw JSON line and names no resource. A warning the
 * engine does not take (it is gone) is written to stderr as JSON after all.
 */
export function sendWarningsTo(engine: EngineLog): void {
    routeWarnings((line) => {
        const call = calls.getStore();
        const sent = engine.send({ severity: "warning", message: plainMessage(line.fields, line.message), urn: call?.urn })
            .catch(() => line.toStderr());
        call?.sending.push(sent);
        return true;
    });
}

/**
 * Runs one provider call for the resource `urn`: what it logs goes under that resource, and is
 * delivered before the call returns or throws, since the engine may stop this process as soon as
 * it has the answer.
 */
export async function forResource<T>(urn: string | undefined, run: () => Promise<T>): Promise<T> {
    const call: ResourceCall = { urn, sending: [] };
    try {
        return await calls.run(call, run);
    } finally {
        // Each send settles: a failed one falls back to stderr (sendWarningsTo).
        while (call.sending.length > 0) await Promise.all(call.sending.splice(0));
    }
}

import type * as pulumi from "@pulumi/pulumi";
import { ClientCredentialsError } from "../agent/client-credentials";
import { connectVmHost, defaultHostName, DEFAULT_HOST_ENV } from "../host/connect-host";
import { log } from "../log/logger";
import { parseHostTarget } from "../model/host-target";
import { resolveOptions } from "../model/resolve";
import { unknownKeyFailure } from "../model/unknown-key";
import { orderFailures, validateArgs, validateKnownArgs } from "../model/validate";
import type { ValidationFailure } from "../model/validation-failure";
import { computeSystemIdFor } from "../uvm/identity";
import { replacesVm } from "./diff";
import {
    checkedInputs,
    GENERATED_ID_KEY,
    HOST_BUILD_KEY,
    HOST_ID_KEY,
    type PropertyBag,
    REPLACE_ON_CHANGES_KEY,
    resourceOf,
    UNSENT_KEYS_KEY,
    unsentKeysOf,
    withHostId,
    withoutProviderKey,
    withResource,
} from "./property-bags";
import { containsUnknown } from "./unknown";

/**
 * `check`: every rule at preview time, each failure as a Pulumi CheckFailure naming the input, and
 * normalized values (defaults, even memory, clamped processors, normalized paths, the default host)
 * in the returned inputs, so diff compares what the VM really gets.
 *
 * Host facts (processor count, build) come from the target host, once per process, and so does its
 * identity, kept under `__hostId` for diff. When inputs are still unknown (computed from other
 * resources during preview), what can be checked without them is checked and the inputs pass
 * through unchanged.
 *
 * Keys the SDK could not send (`__unsentKeys`) and a null `host` fail without contacting any host,
 * together with every failure the other inputs have on their own.
 */
export async function check(olds: PropertyBag, news: PropertyBag): Promise<pulumi.dynamic.CheckResult> {
    const args = withoutProviderKey(news);
    const refused = [...unsentKeyFailures(news), ...nullHostFailures(args)];
    if (refused.length > 0) {
        if (args.host === null) delete args.host;
        return failed(orderFailures([...refused, ...validateKnown(args)]));
    }
    if (args.host === undefined) {
        const host = defaultHostName();
        if (host === undefined) {
            return failed([{
                field: "host",
                message: `no host given and ${DEFAULT_HOST_ENV} is not set; this is not Windows, so there is no local HCS. ` +
                    `Set host to "sim:<socket path>" (a simulated host: pulumi-hcs sim --root DIR) or export ${DEFAULT_HOST_ENV}`,
            }]);
        }
        args.host = host;
    }
    if (containsUnknown(args)) {
        const failures = validateKnown(args);
        return failures.length > 0 ? failed(failures) : { inputs: withResource(args, news) };
    }
    // A host value we cannot even parse: report it with every other input failure, and connect nowhere.
    if (typeof args.host !== "string" || !parseHostTarget(args.host).ok) return failed(validateArgs(args));

    let host;
    let facts;
    try {
        host = await connectVmHost(args.host);
        facts = await host.facts();
    } catch (err) {
        return failed([
            { field: "host", message: hostProblem(args.host, err as Error) },
            ...validateArgs(args).filter((f) => f.field !== "host"),
        ]);
    }
    const resolved = resolveOptions(args, facts);
    if (!resolved.ok) return failed(resolved.failures);
    const refusedByHost = (await host.inputProblems?.(resolved.options)) ?? [];
    if (refusedByHost.length > 0) return failed(refusedByHost);
    for (const warning of resolved.warnings) {
        log.warn({ field: warning.field, requested: warning.requested, assigned: warning.assigned }, warning.message);
    }
    // Which host `host` reached and its build, for diff: another address of the VM's own host is no
    // change, and whether the host can change CPU limits in place depends on its build.
    const inputs = withHostId(withResource(checkedInputs(resolved.options, args.timeouts), news), HOST_ID_KEY, host.identity);
    inputs[HOST_BUILD_KEY] = facts.build;
    if (news[REPLACE_ON_CHANGES_KEY] !== undefined) inputs[REPLACE_ON_CHANGES_KEY] = news[REPLACE_ON_CHANGES_KEY];
    if (resolved.options.computeSystemId === undefined) {
        const resource = resourceOf(news);
        // Without the URN (a caller other than the SDK) create picks a random ID: nothing to predict.
        const derived = resource !== undefined ? computeSystemIdFor(resolved.options, resource) : undefined;
        const id = expectedComputeSystemId(olds, inputs, derived);
        if (id !== undefined) Object.assign(inputs, { computeSystemId: id, [GENERATED_ID_KEY]: true });
    }
    return { inputs };
}

/**
 * The compute-system ID a VM whose program sets none will have after this update: the one it has
 * (as the state's inputs record it) when the update keeps the VM, else the one create derives. So a
 * preview of an in-place update shows the ID known and unchanged, instead of unknown to everything
 * that uses it. Unknown only for a VM whose state's inputs do not record its ID (states from before
 * this was recorded, until the next up or refresh records it).
 */
function expectedComputeSystemId(oldInputs: PropertyBag, news: PropertyBag, derived: string | undefined): string | undefined {
    const existing = Object.keys(oldInputs).length > 0;
    if (!existing || replacesVm(oldInputs, news)) return derived;
    return typeof oldInputs.computeSystemId === "string" ? oldInputs.computeSystemId : undefined;
}

function failed(failures: readonly ValidationFailure[]): pulumi.dynamic.CheckResult {
    return { failures: failures.map((f) => ({ property: f.field, reason: f.message })) };
}

/** The failures of the inputs whose values are known; unknown ones cannot be checked yet. */
function validateKnown(args: PropertyBag): ValidationFailure[] {
    const known = Object.fromEntries(Object.entries(args).filter(([, value]) => !containsUnknown(value)));
    const unknown = Object.keys(args).filter((key) => containsUnknown(args[key]));
    // "required" and the rules between inputs are judged only once every input they read is known.
    return validateKnownArgs(known, unknown).filter((f) => !containsUnknownField(args, f.field));
}

/** One unknown-key failure per key the SDK could not send (see UNSENT_KEYS_KEY). */
function unsentKeyFailures(news: PropertyBag): ValidationFailure[] {
    const paths = unsentKeysOf(news);
    if (paths === "malformed") {
        return [{
            field: UNSENT_KEYS_KEY,
            message: `must be a list of key paths like [["hasOwnProperty"], ["timeouts", "__proto__"]], as the pulumi-hcs SDK sends it; it is not an input, so remove it`,
        }];
    }
    return paths.map(unknownKeyFailure);
}

/**
 * `host: null` is refused instead of read as "not given", as null is elsewhere: the default host
 * comes from the environment of whichever process runs the provider, and a null host is most often
 * a lookup in the program that came back empty (an unset stack setting), which should not quietly
 * send the VM to whatever host that environment names.
 */
function nullHostFailures(args: PropertyBag): ValidationFailure[] {
    if (args.host !== null) return [];
    return [{
        field: "host",
        message: `must be a string like "local" or "sim:<socket path>", got null; omit host to use ${DEFAULT_HOST_ENV} (else local on Windows)`,
    }];
}

/** Whether a failure is about an input whose value is (partly) unknown, and so not yet checkable. */
function containsUnknownField(args: PropertyBag, field: string): boolean {
    const input = /^[^[.]*/.exec(field)?.[0] ?? field;
    return containsUnknown(args[input]);
}

/** Why check could not learn a host's facts: unreachable, or (an agent) this client's credentials unreadable. */
function hostProblem(host: string, err: Error): string {
    if (err instanceof ClientCredentialsError) return `cannot use host '${host}': ${err.message}`;
    return `cannot reach host '${host}' to read its processor count and build: ${err.message}`;
}

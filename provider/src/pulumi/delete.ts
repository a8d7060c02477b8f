import { parseDuration } from "../model/duration";
import { deletableStateOf, type PropertyBag, resourceOf, withoutProviderKey } from "./property-bags";
import { connectStateHost } from "./state-host";

/**
 * `delete`: idempotent; removes the VM and only the files its create made, on the host the state
 * records (`hostId`), reached at `PULUMI_HCS_HOST` or the state's `host` (connectStateHost).
 */
export async function remove(id: string, props: PropertyBag): Promise<void> {
    const state = withoutProviderKey(props);
    const host = await connectStateHost(state, `delete utility VM '${id}'`);
    await host.deleteVm({
        state: deletableStateOf(id, state),
        resource: resourceOf(props),
        budgetMs: budgetOf(state.timeouts, "delete"),
    });
}

/** The state's `timeouts.<name>` in milliseconds, when it has a valid one (delete has no checked inputs to resolve). */
function budgetOf(timeouts: unknown, name: "delete"): number | undefined {
    const text = timeouts !== null && typeof timeouts === "object" ? (timeouts as Record<string, unknown>)[name] : undefined;
    if (typeof text !== "string") return undefined;
    const parsed = parseDuration(text);
    return parsed.ok ? parsed.milliseconds : undefined;
}

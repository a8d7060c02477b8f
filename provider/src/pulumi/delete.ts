import { parseDuration } from "../model/duration";
import { deleteUtilityVm } from "../uvm/delete";
import { type PropertyBag, withoutProviderKey } from "./property-bags";
import { connectStateHost } from "./resolve-inputs";

/** `delete`: idempotent; removes the VM and only the files its create made. */
export async function remove(id: string, props: PropertyBag): Promise<void> {
    const state = withoutProviderKey(props);
    const host = await connectStateHost(state, `delete utility VM '${id}'`);
    await deleteUtilityVm({
        host,
        state: {
            computeSystemId: id,
            scratchPath: String(state.scratchPath ?? ""),
            scratchCreated: state.scratchCreated === true,
        },
        budgetMs: budgetOf(state.timeouts, "delete"),
    });
}

/** A `timeouts` entry in milliseconds, when the state has a valid one. */
export function budgetOf(timeouts: unknown, name: "create" | "update" | "delete"): number | undefined {
    const text = timeouts !== null && typeof timeouts === "object" ? (timeouts as Record<string, unknown>)[name] : undefined;
    if (typeof text !== "string") return undefined;
    const parsed = parseDuration(text);
    return parsed.ok ? parsed.milliseconds : undefined;
}

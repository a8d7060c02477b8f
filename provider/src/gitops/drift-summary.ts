/**
 * The drift summary (schema `pulumi-hcs.drift/v1`): which utility VMs of a stack differ from what the
 * program wants, and in which fields, computed from the output of `pulumi preview --refresh --json`
 * (CLI 3.274.1). `pulumi-hcs drift-report` prints it, `pulumi-hcs reconcile` reports its counts, and a
 * pipeline can keep it as an artifact (docs/operations.md, "Reconcile").
 *
 * What that preview prints, and so what this reads:
 * - one `refresh` step per resource the state held before the preview; its `oldState` is the state
 *   as recorded (the CLI prints the same state as `newState`, whatever the refresh read, so a refresh
 *   step says nothing of the drift itself);
 * - then one step per resource whose program and refreshed state differ: `create` (a VM the refresh
 *   found gone, or one the program adds), `update`, `replace` (a preview prints that one step; an
 *   `up` adds `create-replacement` and `delete-replaced`), `delete` (in the state, no longer in the
 *   program), each with `detailedDiff`
 *   (the provider's per-input kinds), `diffReasons` and `replaceReasons`. An update's `oldState` is
 *   the refreshed state, its `newState.inputs` what the program asks for.
 * - no step at all for an unchanged VM: it is the refresh steps that say it exists.
 *
 * So drift is what the provider's read reports *and* the diff compares: a VM gone (stopped, removed,
 * its disk lost), `start` (a VM left Created), `owner` (a system made again under the same ID by
 * someone else). What read reports only as outputs (a VM Paused, a new runtimeId, the assigned
 * memory) reaches the state on a refresh but no step, and what read does not read at all (processor
 * count, limit and weight, memory size changed on the host) stays invisible (docs/operations.md).
 */

/** The schema name a consumer checks before reading a summary. */
export const DRIFT_SCHEMA = "pulumi-hcs.drift/v1";

/** The resource type of a WcowUtilityVm (the SDK's dynamic resource). */
export const UTILITY_VM_TYPE = "pulumi-nodejs:dynamic/hcs:WcowUtilityVm";

/**
 * How a VM differs:
 * - `gone`: the state recorded it, the refresh found it gone (stopped, removed, its disk lost); `up` creates it again;
 * - `changed`: the program wants other values than the VM has (or adds a VM the stack never had);
 * - `unmanaged`: the stack still holds the VM but the program no longer declares it; `up` deletes it.
 */
export type DriftKind = "gone" | "changed" | "unmanaged";

/** What `pulumi up` would do to the VM. */
export type DriftAction = "create" | "update" | "replace" | "delete";

/**
 * How one input differs, as the provider's diff classified it (Pulumi's detailed-diff kinds):
 * `update` in place, `update-replace` forcing a new VM, `add` / `delete` (set where unset, unset where
 * set), and `add-replace` / `delete-replace` when those force a new VM.
 */
export type FieldChangeKind = "update" | "update-replace" | "add" | "delete" | "add-replace" | "delete-replace";

export interface FieldDrift {
    readonly field: string;
    readonly kind: FieldChangeKind;
    /** The value the stack's state recorded before this check's refresh. */
    readonly recorded: unknown;
    /**
     * The value after the refresh: what the host reports where the provider's read reads it (state,
     * start, owner...), otherwise the recorded value again (read cannot see, e.g., processor limits
     * changed behind Pulumi's back).
     */
    readonly actual: unknown;
    /** The value the program asks for (an extension of v1: consumers that only know v1 ignore it). */
    readonly desired: unknown;
}

export interface VmDrift {
    readonly urn: string;
    /** The resource name (the URN's last part). */
    readonly name: string;
    readonly computeSystemId: string | null;
    /** The VM's `host` input (as the program or the state gives it). */
    readonly host: string | null;
    readonly drift: DriftKind;
    readonly action: DriftAction;
    /** The inputs that differ; empty for a VM that is gone or no longer declared. */
    readonly fields: readonly FieldDrift[];
}

export interface DriftCounts {
    /** Every VM the check saw: in the state before the refresh, or in the program. */
    readonly vms: number;
    readonly gone: number;
    readonly changed: number;
    readonly unchanged: number;
    /** VMs the stack holds that the program no longer declares (an extension of v1). */
    readonly unmanaged: number;
}

export interface DriftSummary {
    readonly schema: typeof DRIFT_SCHEMA;
    readonly stack: string;
    /** When the check ran (RFC 3339). */
    readonly checkedAt: string;
    readonly drifted: boolean;
    readonly vms: readonly VmDrift[];
    readonly counts: DriftCounts;
}

/** A resource state as the preview prints it (the parts read here). */
export interface PreviewResourceState {
    readonly urn?: string;
    readonly type?: string;
    readonly id?: string;
    readonly inputs?: Record<string, unknown>;
    readonly outputs?: Record<string, unknown>;
}

/** One step of `pulumi preview --json`. */
export interface PreviewStep {
    readonly op: string;
    readonly urn: string;
    readonly oldState?: PreviewResourceState;
    readonly newState?: PreviewResourceState;
    readonly detailedDiff?: Record<string, { readonly kind: string; readonly inputDiff?: boolean }> | null;
    readonly diffReasons?: readonly string[];
    readonly replaceReasons?: readonly string[];
}

/** The output of `pulumi preview --refresh --json`, parsed. */
export interface PreviewOutput {
    readonly steps?: readonly PreviewStep[];
    readonly diagnostics?: readonly { readonly message?: string; readonly severity?: string; readonly urn?: string }[];
    readonly changeSummary?: Record<string, number>;
}

export interface SummarizeOptions {
    /** The stack's name; by default the one the URNs carry (`urn:pulumi:<stack>::…`). */
    readonly stack?: string;
    /** When the check ran. @default now */
    readonly checkedAt?: Date;
}

/** The value Pulumi prints for an output not known until `up`. */
const UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Step ops that are part of a replacement. */
const REPLACE_OPS = new Set(["replace", "create-replacement", "delete-replaced"]);

/** Builds the drift summary of one `pulumi preview --refresh --json` output. */
export function summarizeDrift(preview: PreviewOutput, options: SummarizeOptions = {}): DriftSummary {
    const steps = (preview.steps ?? []).filter(isUtilityVmStep);
    // What the state recorded before the refresh, per VM.
    const recorded = new Map<string, PreviewResourceState>();
    for (const step of steps) if (step.op === "refresh" && step.oldState) recorded.set(step.urn, step.oldState);

    const changesByUrn = new Map<string, PreviewStep[]>();
    for (const step of steps) {
        if (step.op === "refresh" || step.op === "same") continue;
        changesByUrn.set(step.urn, [...(changesByUrn.get(step.urn) ?? []), step]);
    }

    const vms: VmDrift[] = [];
    for (const [urn, vmSteps] of changesByUrn) {
        const drift = vmDrift(urn, vmSteps, recorded.get(urn));
        if (drift) vms.push(drift);
    }
    vms.sort((a, b) => a.name.localeCompare(b.name) || a.urn.localeCompare(b.urn));

    const all = new Set([...recorded.keys(), ...steps.map((s) => s.urn)]);
    const count = (kind: DriftKind) => vms.filter((vm) => vm.drift === kind).length;
    return {
        schema: DRIFT_SCHEMA,
        stack: options.stack ?? stackOfUrn([...all][0]) ?? "",
        checkedAt: (options.checkedAt ?? new Date()).toISOString(),
        drifted: vms.length > 0,
        vms,
        counts: { vms: all.size, gone: count("gone"), changed: count("changed"), unchanged: all.size - vms.length, unmanaged: count("unmanaged") },
    };
}

function vmDrift(urn: string, steps: readonly PreviewStep[], before: PreviewResourceState | undefined): VmDrift | undefined {
    const ops = new Set(steps.map((s) => s.op));
    const action: DriftAction | undefined = [...ops].some((op) => REPLACE_OPS.has(op)) ? "replace"
        : ops.has("update") ? "update"
            : ops.has("create") ? "create"
                : ops.has("delete") ? "delete"
                    : undefined;
    // read, import, discard and the like change nothing on the host.
    if (action === undefined) return undefined;
    const main = steps.find((s) => s.op === (action === "replace" ? "replace" : action)) ?? steps[0]!;
    const refreshed = main.oldState;
    const wanted = main.newState;
    const drift: DriftKind = action === "delete" ? "unmanaged" : action === "create" && before !== undefined ? "gone" : "changed";
    const fields = action === "update" || action === "replace" ? fieldDrifts(main, before, refreshed, wanted) : [];
    return {
        urn,
        name: urn.split("::").pop() ?? urn,
        computeSystemId: stringOr(refreshed?.outputs?.computeSystemId ?? refreshed?.id ?? before?.id ?? wanted?.inputs?.computeSystemId),
        host: stringOr(wanted?.inputs?.host ?? refreshed?.inputs?.host ?? before?.inputs?.host),
        drift,
        action,
        fields,
    };
}

function fieldDrifts(step: PreviewStep, before: PreviewResourceState | undefined, refreshed: PreviewResourceState | undefined, wanted: PreviewResourceState | undefined): FieldDrift[] {
    const kinds = new Map<string, FieldChangeKind>();
    for (const [field, diff] of Object.entries(step.detailedDiff ?? {})) kinds.set(topLevelField(field), normalizeKind(diff.kind));
    // Without a detailed diff (a provider that sends none) the reasons still name the fields.
    const replaces = new Set(step.replaceReasons ?? []);
    for (const field of [...(step.diffReasons ?? []), ...replaces]) {
        if (!kinds.has(field)) kinds.set(field, replaces.has(field) ? "update-replace" : "update");
    }
    return [...kinds].sort(([a], [b]) => a.localeCompare(b)).map(([field, kind]) => ({
        field,
        kind,
        recorded: known(valueOf(before ?? refreshed, field)),
        actual: known(valueOf(refreshed, field)),
        desired: known(wanted?.inputs?.[field]),
    }));
}

/** A recorded value: the outputs (what the VM had), else the inputs. */
function valueOf(state: PreviewResourceState | undefined, field: string): unknown {
    if (state?.outputs && field in state.outputs) return state.outputs[field];
    return state?.inputs?.[field];
}

/** `layerFolders[1]` and `timeouts.create` belong to the inputs `layerFolders` and `timeouts`. */
function topLevelField(path: string): string {
    return path.split(/[.[]/, 1)[0]!;
}

function normalizeKind(kind: string): FieldChangeKind {
    const k = kind.toLowerCase().replace(/_/g, "-");
    return (["update", "update-replace", "add", "delete", "add-replace", "delete-replace"] as const).find((x) => x === k) ?? "update";
}

/** JSON has no "unknown": a value only `up` will know is `null`. */
function known(value: unknown): unknown {
    return value === undefined || value === UNKNOWN_SENTINEL ? null : value;
}

function stringOr(value: unknown): string | null {
    return typeof value === "string" && value !== UNKNOWN_SENTINEL ? value : null;
}

function isUtilityVmStep(step: PreviewStep): boolean {
    const type = step.newState?.type ?? step.oldState?.type ?? typeOfUrn(step.urn);
    return type === UTILITY_VM_TYPE;
}

/** `urn:pulumi:<stack>::<project>::<type chain>::<name>` → the last type of the chain. */
function typeOfUrn(urn: string): string | undefined {
    return urn.split("::")[2]?.split("$").pop();
}

function stackOfUrn(urn: string | undefined): string | undefined {
    return urn?.match(/^urn:pulumi:([^:]+)::/)?.[1];
}

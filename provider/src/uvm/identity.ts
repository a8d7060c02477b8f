import { createHash, randomUUID } from "node:crypto";
import { FIELDS } from "../model/fields";
import type { ResolvedOptions } from "../model/resolved-options";

/**
 * The compute-system ID a create uses when the program sets none.
 *
 * It must be known before HcsCreateComputeSystem and be the same every time the same create is
 * retried: Pulumi forgets a create that was interrupted (SIGKILL of the CLI or of the provider, a
 * crash, a hang we gave up on), and the retry has to recognise the VM its predecessor may have left
 * behind. So it is derived, like a v5 UUID, from the Pulumi resource (its URN names the project, the
 * stack, the parents and the name) and from the value of every input whose change replaces the VM.
 * A replacement therefore gets a new ID (the old VM may still run beside the new one), an
 * interrupted create retried with the same program gets the same one, and two stacks never collide.
 *
 * Without a resource (a caller other than the SDK), the ID is random, as it always was.
 */
export function computeSystemIdFor(options: ResolvedOptions, resource: string | undefined): string {
    if (options.computeSystemId !== undefined) return options.computeSystemId;
    if (resource === undefined) return randomUUID();
    return uuidFromDigest(createHash("sha256").update(JSON.stringify([resource, replacingValues(options)])).digest());
}

/** Whether `id` is the ID this resource derives for these options (so a system with it is ours). */
export function isDerivedId(id: string, options: ResolvedOptions, resource: string | undefined): boolean {
    return options.computeSystemId === undefined && resource !== undefined && computeSystemIdFor(options, resource) === id;
}

/** The inputs a change of which replaces the VM, with their effective values, in field order. */
function replacingValues(options: ResolvedOptions): unknown[] {
    return FIELDS.filter((field) => field.change === "replace" || field.change === "memory" || field.change === "start")
        .map((field) => [field.name, (options as unknown as Record<string, unknown>)[field.name] ?? null]);
}

/** RFC 9562 name-based layout (version 5 nibble, variant 10) over the first 16 bytes of a digest. */
function uuidFromDigest(digest: Buffer): string {
    const bytes = Buffer.from(digest.subarray(0, 16));
    bytes[6] = (bytes[6]! & 0x0f) | 0x50;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    const hex = bytes.toString("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

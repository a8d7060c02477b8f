import type { CallOptions } from "../hcs";
import type { HostFileSystem } from "../host/filesystem";
import type { TargetHost } from "../host/target-host";
import { openIfExists } from "./open-system";

/**
 * The owner marker (`pulumi-hcs.json`) beside a scratch folder's sandbox.vhdx says which compute
 * system the folder belongs to. hcsshim never needs one (its shim makes a fresh folder per
 * container); we do, because Pulumi programs name scratch folders, two resources can name the same
 * one, and a create can be interrupted at any point. The marker is claimed atomically before
 * anything else is done in the folder (scratch-claim.ts), and a delete or rollback removes a disk
 * or a marker only when the marker names the VM being removed.
 */
export interface ScratchOwner {
    /** The compute system the folder belongs to. */
    readonly computeSystemId: string;
    /** The Pulumi resource (URN) that compute system was created for, when a program created it. */
    readonly resource: string | undefined;
    /** Whether pulumi-hcs copied sandbox.vhdx for this VM (then its delete removes the disk). */
    readonly diskOwned: boolean;
    /** `claimed`: create is still working (or was interrupted); `created`: HCS has the system. */
    readonly phase: "claimed" | "created";
    /** When the claim was made (ms since the epoch); an unfinished claim of another resource lapses. */
    readonly claimedAt: number;
    /** The VM's runtime ID, once HCS assigned it: a later VM under the same ID is another VM. */
    readonly runtimeId?: string | undefined;
}

/** What a marker file holds: an owner, or something we cannot read. */
export type MarkerContent = { readonly kind: "owner"; readonly owner: ScratchOwner } | { readonly kind: "unreadable"; readonly text: string };

/** How long the unfinished claim of another resource holds a folder before it counts as abandoned. */
export const CLAIM_LEASE_MS = 10 * 60 * 1000;

/**
 * What a marker says, or undefined when there is none. Markers are written whole (temp file, then
 * rename or hard link: host/local-filesystem.ts), so one that does not parse was not written by us.
 */
export async function readScratchOwner(fs: HostFileSystem, markerPath: string): Promise<MarkerContent | undefined> {
    const text = await fs.readText(markerPath);
    if (text === undefined) return undefined;
    const owner = parseOwner(text);
    return owner !== undefined ? { kind: "owner", owner } : { kind: "unreadable", text };
}

/** Claims the folder for `owner` if no marker exists: true for exactly one of any racing callers. */
export function claimScratchOwner(fs: HostFileSystem, markerPath: string, owner: ScratchOwner): Promise<boolean> {
    return fs.createTextExclusive(markerPath, formatOwner(owner));
}

/** Rewrites the marker (the claim holder only: after copying the disk, after HCS created the system). */
export function writeScratchOwner(fs: HostFileSystem, markerPath: string, owner: ScratchOwner): Promise<void> {
    return fs.writeText(markerPath, formatOwner(owner));
}

/**
 * Whether the marker names this compute system (IDs compare case-insensitively, as HCS's do) and,
 * when both are known, this runtime ID: the same ID can name a newer VM after a forced replacement.
 */
export function namesSystem(content: MarkerContent | undefined, id: string, runtimeId?: string): boolean {
    if (content?.kind !== "owner" || content.owner.computeSystemId.toLowerCase() !== id.toLowerCase()) return false;
    const recorded = content.owner.runtimeId;
    return !runtimeId || !recorded || recorded.toLowerCase() === runtimeId.toLowerCase();
}

/** Whether a compute system with this ID exists on the host right now. */
export async function computeSystemExists(host: TargetHost, id: string, options: CallOptions = {}): Promise<boolean> {
    const system = await openIfExists(host, id, options);
    await system?.close(options);
    return system !== undefined;
}

function formatOwner(owner: ScratchOwner): string {
    const note = "pulumi-hcs: this scratch folder belongs to the compute system named here";
    return `${JSON.stringify({ ...owner, note })}\n`;
}

function parseOwner(text: string): ScratchOwner | undefined {
    let marker: Record<string, unknown>;
    try {
        marker = JSON.parse(text) as Record<string, unknown>;
    } catch {
        return undefined;
    }
    if (marker === null || typeof marker !== "object" || typeof marker.computeSystemId !== "string") return undefined;
    // Markers from before claims existed named only the system, and were written after the disk was copied.
    const legacy = marker.phase === undefined;
    return {
        computeSystemId: marker.computeSystemId,
        resource: typeof marker.resource === "string" ? marker.resource : undefined,
        diskOwned: legacy ? true : marker.diskOwned === true,
        phase: marker.phase === "claimed" ? "claimed" : "created",
        claimedAt: typeof marker.claimedAt === "number" ? marker.claimedAt : 0,
        runtimeId: typeof marker.runtimeId === "string" ? marker.runtimeId : undefined,
    };
}

/**
 * What a stack of N bench resources weighs in state: the checkpoint file per resource, each
 * dynamic resource's own JSON, and the `__provider` string the Node dynamic-provider host keeps in
 * both its inputs and its outputs.
 */
import fs from "node:fs";

export interface StateSize {
    /** Checkpoint file bytes divided by the resource count (the stack and provider entries amortized). */
    readonly checkpointBytesPerResource: number;
    /** Mean bytes of one dynamic resource's entry, as compact JSON. */
    readonly resourceJsonBytes: number;
    /** Bytes of one `__provider` string (UTF-8). */
    readonly providerBytes: number;
    /** `__provider` bytes per resource in state: the string times the copies kept (inputs, outputs). */
    readonly providerBytesPerResource: number;
}

interface CheckpointResource {
    readonly type: string;
    readonly inputs?: Record<string, unknown>;
    readonly outputs?: Record<string, unknown>;
}

/**
 * Measures a checkpoint file (the file backend's `<stack>.json`).
 * @throws Error when the checkpoint does not hold `expected` dynamic resources.
 */
export function measureState(checkpointFile: string, expected: number): StateSize {
    const text = fs.readFileSync(checkpointFile, "utf8");
    const checkpoint = JSON.parse(text) as { checkpoint?: { latest?: { resources?: CheckpointResource[] } } };
    const dynamic = (checkpoint.checkpoint?.latest?.resources ?? []).filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"));
    if (dynamic.length !== expected) throw new Error(`${checkpointFile} holds ${dynamic.length} dynamic resources, expected ${expected}`);
    const provider = String(dynamic[0]!.inputs?.__provider ?? "");
    const copies = (dynamic[0]!.inputs?.__provider !== undefined ? 1 : 0) + (dynamic[0]!.outputs?.__provider !== undefined ? 1 : 0);
    const jsonBytes = dynamic.reduce((sum, r) => sum + Buffer.byteLength(JSON.stringify(r)), 0);
    return {
        checkpointBytesPerResource: Math.round(Buffer.byteLength(text) / expected),
        resourceJsonBytes: Math.round(jsonBytes / dynamic.length),
        providerBytes: Buffer.byteLength(provider),
        providerBytesPerResource: Buffer.byteLength(provider) * copies,
    };
}

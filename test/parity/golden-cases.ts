import { createHash } from "node:crypto";
import { loadVectors, type VectorCase } from "../vectors/vector-cases";
import type { ParityCase } from "./parity-case";

/** Every golden vector (test/vectors/cases) as a parity case, named `golden-<vector name>`. */
export function goldenCases(): ParityCase[] {
    return loadVectors().map(goldenCase);
}

export function goldenCase(v: VectorCase): ParityCase {
    const { creatorProcessors } = v.host;
    return {
        name: `golden-${v.name}`,
        origin: "golden",
        host: { logicalProcessors: v.host.logicalProcessors, build: v.host.build, creatorProcessors },
        files: v.files,
        // The ID names the dump files, so both sides need the same one: a vector that sets none gets
        // one derived from its name.
        args: { ...v.args, computeSystemId: v.args.computeSystemId ?? nameGuid(v.name) },
    };
}

/** A GUID-shaped ID derived from a name (stable across runs). */
function nameGuid(name: string): string {
    const hex = createHash("sha256").update(`pulumi-hcs parity ${name}`).digest("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

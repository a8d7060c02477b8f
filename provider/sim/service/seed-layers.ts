/**
 * Lays out a fake WCOW base layer under a simulator root, so a utility VM can be created from it:
 * `<layer>\UtilityVM\Files\` with a few small files and `<layer>\UtilityVM\SystemTemplate.vhdx`, a
 * small file starting with the VHDX signature. Idempotent: existing files are left alone, whatever
 * the case of their names (`C:\Layers\Base` finds `C:\layers\base`, as on NTFS).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { normalizeWindowsPath, resolveLocalPath } from "./windows-path";

export const DEFAULT_LAYER = "C:\\layers\\base";

/** The first bytes of the fake template: the VHDX file-type signature, then who made it. */
export const TEMPLATE_SIGNATURE = "vhdxfile";
const TEMPLATE_SIZE = 4096;

export interface SeedResult {
    readonly layer: string;
    /** Windows paths created now. */
    readonly created: readonly string[];
    /** Windows paths that already existed. */
    readonly existing: readonly string[];
}

function templateBytes(): Buffer {
    const buf = Buffer.alloc(TEMPLATE_SIZE);
    buf.write(TEMPLATE_SIGNATURE, 0, "ascii");
    buf.write("pulumi-hcs simulator fake SystemTemplate.vhdx", 8, "utf16le");
    return buf;
}

/**
 * Creates the fake base layer.
 * @throws {RangeError} when `layer` is not an absolute Windows drive path.
 */
export function seedLayers(root: string, layer: string = DEFAULT_LAYER): SeedResult {
    const normalized = normalizeWindowsPath(layer);
    if ("reason" in normalized) throw new RangeError(`Cannot seed layer ${JSON.stringify(layer)}: ${normalized.reason}`);
    const base = normalized.windows;
    const entries: [string, Buffer | "dir"][] = [
        [`${base}\\Files`, "dir"],
        [`${base}\\UtilityVM\\Files\\EFI\\Microsoft\\Boot\\bootmgfw.efi`, Buffer.from("pulumi-hcs simulator: fake bootmgfw.efi\n")],
        [`${base}\\UtilityVM\\Files\\Windows\\System32\\ntoskrnl.exe`, Buffer.from("pulumi-hcs simulator: fake ntoskrnl.exe\n")],
        [`${base}\\UtilityVM\\SystemTemplate.vhdx`, templateBytes()],
    ];
    const created: string[] = [];
    const existing: string[] = [];
    for (const [windows, content] of entries) {
        const local = resolveLocalPath(root, windows);
        if (fs.existsSync(local)) {
            existing.push(windows);
            continue;
        }
        if (content === "dir") {
            fs.mkdirSync(local, { recursive: true });
        } else {
            fs.mkdirSync(path.dirname(local), { recursive: true });
            fs.writeFileSync(local, content);
        }
        created.push(windows);
    }
    return { layer: base, created, existing };
}

/**
 * Reads the "Diagnostics:" section the Pulumi CLI prints at the end of a run: one block per
 * resource, headed `  <type> (<name>):`, each diagnostic's lines indented under it. (Above that
 * section the progress rows repeat each resource's latest diagnostic as its status; the section is
 * where each diagnostic is listed once, under its resource.)
 */
export interface DiagnosticBlocks {
    /** Each resource's diagnostic lines (indentation removed), by the name in its header. */
    readonly byName: ReadonlyMap<string, readonly string[]>;
    /** The blocks' names in the order printed; the stack's block is named after the stack. */
    readonly names: readonly string[];
}

const HEADER = /^ {2}(\S+) \((.+)\):$/;

/** The diagnostic blocks of `stdout`, or none when the run printed no Diagnostics section. */
export function diagnosticBlocks(stdout: string): DiagnosticBlocks {
    const byName = new Map<string, string[]>();
    const lines = stdout.split("\n");
    const start = lines.indexOf("Diagnostics:");
    if (start < 0) return { byName, names: [] };
    let current: string[] | undefined;
    for (const line of lines.slice(start + 1)) {
        if (line !== "" && !line.startsWith(" ")) break; // the next section: Outputs:, Resources:
        const header = HEADER.exec(line);
        if (header) {
            current = [];
            byName.set(header[2]!, current);
        } else if (current && line.trim() !== "") {
            current.push(line.trim());
        }
    }
    return { byName, names: [...byName.keys()] };
}

/** How many times `phrase` occurs in `text`. */
export function occurrences(text: string, phrase: string): number {
    return text.split(phrase).length - 1;
}

/**
 * The known name closest to an unknown one, for "did you mean" hints, or undefined when nothing is
 * close. Names are compared case-insensitively (so hcsshim's `LayerFolders` and `CPUGroupID` find
 * `layerFolders` and `cpuGroupId`) by optimal-string-alignment distance, which counts a swap of two
 * neighbouring letters as one edit. "Close" is at most 2 edits, or a third of the name's length for
 * long names.
 */
export function closestName(unknown: string, known: readonly string[]): string | undefined {
    const wanted = unknown.toLowerCase();
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const candidate of known) {
        const distance = editDistance(wanted, candidate.toLowerCase());
        if (distance < bestDistance) {
            best = candidate;
            bestDistance = distance;
        }
    }
    const allowed = Math.max(2, Math.floor(wanted.length / 3));
    return bestDistance <= allowed ? best : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
    const rows = a.length + 1;
    const cols = b.length + 1;
    const d: number[] = new Array<number>(rows * cols).fill(0);
    const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
    for (let i = 0; i < rows; i++) d[i * cols] = i;
    for (let j = 0; j < cols; j++) d[j] = j;
    for (let i = 1; i < rows; i++) {
        for (let j = 1; j < cols; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            let value = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
                value = Math.min(value, at(i - 2, j - 2) + 1);
            }
            d[i * cols + j] = value;
        }
    }
    return at(a.length, b.length);
}

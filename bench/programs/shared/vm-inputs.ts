// The inputs every bench resource gets, pulumi-hcs VM and no-op floor alike, so both stacks carry
// inputs of the same size: the pool example's per-VM inputs, each VM with its own scratch folder.

/** What the program passes for resource `i` (plain values, no Outputs). */
export function benchVmInputs(i: number) {
    return {
        layerFolders: ["C:\\layers\\base", `C:\\uvms\\bench\\vm-${i}`],
        owner: "bench",
        processorCount: 2,
        memorySizeInMB: 1024,
        processorLimit: 50000,
        processorWeight: 200,
    };
}

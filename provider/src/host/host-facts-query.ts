import { HRESULTS, HcsError, type ProcessorTopology } from "../hcs";

/**
 * The logical processor count from an HCS `ProcessorTopology` service property, checked the way
 * hcsshim's `HostProcessorInfo` checks it. HCS, not `os.cpus()`, is the source: the host partition
 * may not see every logical processor (minroot), and other processor groups are easy to miss.
 * @throws HcsError when the property has no usable count.
 */
export function logicalProcessorsOf(topology: unknown): number {
    const count = (topology as ProcessorTopology | undefined)?.LogicalProcessorCount;
    if (typeof count !== "number" || !Number.isInteger(count) || count < 1) {
        throw new HcsError({ operation: "HcsGetServiceProperties" }, HRESULTS.E_UNEXPECTED, undefined,
            "failed to unmarshal host processor topology: no usable LogicalProcessorCount");
    }
    return count;
}

import type { VirtualSmbShareOptions } from "./schema";

/**
 * hcsshim's `UtilityVM.DefaultVSMBOptions(readOnly)` (`internal/uvm/vsmb.go`): every option off
 * except `NoDirectmap` when the VM's devices are physically backed or direct mapping is turned off,
 * and, for a read-only share, `ReadOnly`, `ShareRead`, `CacheIo` and `PseudoOplocks`.
 *
 * @param noDirectmap `fullyPhysicallyBacked || noDirectMap` of the VM.
 */
export function defaultVsmbOptions(readOnly: boolean, noDirectmap: boolean): VirtualSmbShareOptions {
    const options: VirtualSmbShareOptions = { NoDirectmap: noDirectmap };
    if (readOnly) {
        options.ShareRead = true;
        options.CacheIo = true;
        options.ReadOnly = true;
        options.PseudoOplocks = true;
    }
    return options;
}
